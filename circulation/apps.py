from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    name = "circulation"
    verbose_name = _("流通")

    def ready(self):
        # The catalogue never imports circulation: circulation answers its hooks instead
        # (a copy back on the shelf, due dates of lent copies, and the card numbers a copy
        # barcode must not take).
        from catalog import barcode_rules, hooks
        from circulation import barcode_space, middleware, selectors, services
        from library import daily

        daily.register("holds", middleware.expire_holds)
        daily.register("loan_history", middleware.anonymise_loans)
        hooks.on_copy_available(services.copy_offer_to_holds)
        hooks.on_due_dates(selectors.copy_due_dates)
        barcode_rules.register(barcode_space.card_numbers_among)
