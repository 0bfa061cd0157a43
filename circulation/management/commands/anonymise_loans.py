from collections import Counter

from django.core.management.base import BaseCommand

from circulation.models import CirculationSettings
from circulation.services import loans_anonymise


class Command(BaseCommand):
    help = (
        "Reading-history retention: detach returned loans past the retention period (流通设置) from their "
        "readers, keeping class, grade, reader type and dates for the statistics. The first signed-in "
        "request of each day also does this."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count what would be anonymised")

    def handle(self, *args, **opts):
        settings = CirculationSettings.current()
        if settings.history_rule == CirculationSettings.HistoryRule.UNTIL_LEFT:
            rule = "until the reader leaves"
        else:
            rule = f"{settings.history_years} school year(s) after return"
        result = loans_anonymise(dry_run=opts["dry_run"])
        verb = "Would anonymise" if opts["dry_run"] else "Anonymised"
        self.stdout.write(
            f"Retention: {rule}. {verb} {result.loans} loans of {result.groups} readers and school years."
        )
        per_year = Counter()
        for _reader, year, n in result.detail:
            per_year[year] += n
        for year in sorted(per_year):
            self.stdout.write(f"  {year}-{year + 1}: {per_year[year]} loans")
        if not opts["dry_run"]:
            self.stdout.write(f"{result.events} log rows lost their reader, copy and detail.")
