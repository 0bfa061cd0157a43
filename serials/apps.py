from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SerialsConfig(AppConfig):
    name = "serials"
    verbose_name = _("报刊")

    def ready(self):
        from library import nav

        nav.add_to_menu(nav.CATALOG_MENU, "serials/_nav.html")
