from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from circulation import services
from circulation.exceptions import CirculationError
from circulation.models import school_year_of


class Command(BaseCommand):
    help = "学年升级: graduate the classes that finished their stage and create the new first-grade classes."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="the school year that starts (default: the current one)")
        parser.add_argument("--new-classes", type=int, help="how many first-grade classes to create per stage")
        parser.add_argument("--dry-run", action="store_true", help="only list graduating classes and unreturned books")

    def handle(self, *args, **opts):
        year = opts["year"] or school_year_of(timezone.localdate())
        classes = services.graduating_classes(year)
        loans = list(services.graduation_open_loans(year))
        self.stdout.write(f"School year {year}: {len(classes)} graduating classes, {len(loans)} unreturned books.")
        for loan in loans:
            self.stdout.write(
                f"  {loan.reader.student_number or ''} {loan.reader.name}: {loan.copy.barcode} {loan.copy.record.title}"
            )
        if opts["dry_run"]:
            return
        try:
            result = services.school_year_rollover(school_year=year, new_first_grade_classes=opts["new_classes"])
        except CirculationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {result.graduated_classes} classes graduated ({result.graduated_students} students), "
                f"{result.new_classes} new classes."
            )
        )
