from django.core.management.base import BaseCommand

from circulation.services import holds_expire


class Command(BaseCommand):
    help = (
        "Expire ready holds past their last day and pass the copies to the next reader in the queue "
        "(the first signed-in request of each day also does this)."
    )

    def handle(self, *args, **opts):
        n = holds_expire()
        self.stdout.write(f"{n} holds expired.")
