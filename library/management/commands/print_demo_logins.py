from django.core.management.base import BaseCommand

from library.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from library.roles import ROLE_LABELS


class Command(BaseCommand):
    help = "Print the demo accounts for every role."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, **opts):
        self.stdout.write("")
        self.stdout.write("Demo logins (password for all: %s):" % DEMO_PASSWORD)
        for username, role, display in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<10} {ROLE_LABELS[role]} ({display})")
        self.stdout.write("  Visitors need no login: the catalogue search is public.")
        self.stdout.write(f"Open {opts['url']} in a browser.")
        self.stdout.write("")
