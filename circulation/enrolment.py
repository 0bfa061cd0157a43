"""Who was enrolled, and who held a valid card, on a given day.

Shared by the reports (enrolment, 办证率) and by reading-history retention, which stores these facts
with an anonymised borrower so the reports' figures stay exactly the same. Circulation owns them
because they are questions about readers and cards; reports only read.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from circulation.models import STAGE_GRADES, LibraryCard, Reader, ReaderKind, school_year_of

STAFF_KINDS = [ReaderKind.TEACHER, ReaderKind.STAFF]


def enrolled_readers(day: date):
    """Readers enrolled on `day`: not left by then; an inactive reader without a leaving date is out.

    Students also need a class that existed (entry year) and had not graduated on that day.
    """
    school_year = school_year_of(day)
    not_left = Q(left_on__gt=day) | Q(left_on__isnull=True, is_active=True)
    # A class exists from its entry year until it has gone through the last grade of its stage.
    in_stage = Q()
    for stage, grades in STAGE_GRADES.items():
        in_stage |= Q(school_class__stage=stage, school_class__entry_year__gt=school_year - grades)
    student = (
        Q(kind=ReaderKind.STUDENT, school_class__entry_year__lte=school_year)
        & (Q(school_class__graduated_on__isnull=True) | Q(school_class__graduated_on__gt=day))
        & Q(school_class__isnull=False)
        & in_stage
    )
    staff = Q(kind__in=STAFF_KINDS)
    return Reader.objects.filter(not_left).filter(student | staff)


def enrolled_students(day: date):
    return enrolled_readers(day).filter(kind=ReaderKind.STUDENT)


def valid_card_on(day: date):
    """True when the outer reader held a card valid at the end of `day` (hashed IN subquery)."""
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    holders = LibraryCard.objects.filter(issued_at__lt=end).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=end))
    return ExpressionWrapper(Q(pk__in=holders.values("reader_id").distinct()), output_field=BooleanField())
