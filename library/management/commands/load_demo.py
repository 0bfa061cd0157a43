import importlib

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from library.demo import DemoContext, DemoScale, build_people

PARTS = ["catalog.demo", "circulation.demo", "serials.demo"]


class Command(BaseCommand):
    help = "Load the deterministic demo school (people, catalogue, loan history). Scales for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database already has users")
        parser.add_argument("--students", type=int, default=800)
        parser.add_argument("--teachers", type=int, default=32)
        parser.add_argument("--titles", type=int, default=5000)
        parser.add_argument("--copies", type=int, default=10000)
        parser.add_argument("--terms", type=int, default=2, help="terms of loan history, ending with the current one")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **opts):
        if opts["if_empty"] and User.objects.exists():
            self.stdout.write("The database already holds data; the demo school was not loaded again.")
            return
        if User.objects.exists():
            self.stderr.write("The database is not empty: load the demo school only into an empty database.")
            raise SystemExit(1)
        scale = DemoScale(
            students=opts["students"],
            teachers=opts["teachers"],
            titles=opts["titles"],
            copies=max(opts["copies"], opts["titles"]),
            terms=opts["terms"],
            seed=opts["seed"],
        )
        ctx = DemoContext(scale=scale, today=timezone.localdate(), stdout=self.stdout)
        self.stdout.write("Loading the demo school ...")
        with transaction.atomic():
            build_people(ctx)
            for module_name in PARTS:
                try:
                    module = importlib.import_module(module_name)
                except ModuleNotFoundError:
                    continue
                module.build(ctx)
        self.stdout.write(self.style.SUCCESS("Demo school loaded."))
