from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    name = "circulation"
    verbose_name = _("流通")

    def ready(self):
        # The catalogue never imports circulation: circulation answers its hooks instead.
        from catalog import hooks
        from circulation import selectors, services

        hooks.on_copy_available(services.copy_offer_to_holds)
        hooks.on_due_dates(selectors.copy_due_dates)
