from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    name = "circulation"
    verbose_name = _("流通")

    def ready(self):
        # The catalogue must not give a copy a barcode that is a card number (it does not
        # import circulation, so circulation tells it how to check).
        from catalog import barcode_rules
        from circulation import barcode_space

        barcode_rules.register(barcode_space.card_numbers_among)
