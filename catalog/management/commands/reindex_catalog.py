from django.core.management.base import BaseCommand
from django.db import transaction

from catalog.models import Record
from catalog.services import record_reindex


class Command(BaseCommand):
    help = "Recompute the derived fields of every record (search document, call number, shelf key, pinyin)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, **opts):
        ids = list(Record.objects.order_by("pk").values_list("pk", flat=True))
        done = 0
        for i in range(0, len(ids), opts["batch"]):
            with transaction.atomic():
                done += record_reindex(Record.objects.filter(pk__in=ids[i : i + opts["batch"]]))
        self.stdout.write(f"{done} records reindexed.")
