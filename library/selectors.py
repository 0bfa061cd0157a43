from datetime import date

from catalog.models import Copy, Record
from circulation.models import Loan, Reader


def reader_for_user(user):
    return Reader.objects.filter(user=user).select_related("school_class").first()


def dashboard_figures(today: date) -> dict:
    in_collection = Copy.objects.filter(withdrawn_on__isnull=True)
    open_loans = Loan.objects.filter(returned_at__isnull=True)
    return {
        "titles": Record.objects.filter(copies__withdrawn_on__isnull=True).distinct().count(),
        "volumes": in_collection.count(),
        "readers": Reader.objects.filter(is_active=True).count(),
        "open_loans": open_loans.count(),
        "overdue": open_loans.filter(due_date__lt=today).count(),
        "loans_today": Loan.objects.filter(checked_out_at__date=today).count(),
    }
