from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SerialsConfig(AppConfig):
    name = "serials"
    verbose_name = _("报刊")

    def ready(self):
        # The desk (circulation) does not know periodicals: a cover barcode scanned there is
        # explained through the catalogue's hook.
        from catalog import hooks
        from library import nav
        from serials import services

        hooks.on_unknown_code(services.cover_scanned_at_desk)
        nav.add_to_menu(nav.CATALOG_MENU, "serials/_nav.html")
