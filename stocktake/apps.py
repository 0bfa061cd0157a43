from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StocktakeConfig(AppConfig):
    name = "stocktake"
    verbose_name = _("盘点")

    def ready(self):
        # The catalogue never imports stocktake: it asks this hook before any copy is written off.
        from catalog import hooks
        from library import nav
        from stocktake import selectors

        nav.add_to_menu(nav.CATALOG_MENU, "stocktake/_nav.html")
        nav.add_to_menu(nav.DESK_MENU, "stocktake/_nav.html")
        hooks.on_write_off_check(selectors.copies_held_by_open_stocktakes)
