from django import template
from django.utils import timezone

from circulation import selectors

register = template.Library()


@register.inclusion_tag("circulation/_class_overdue_summary.html")
def class_overdue_summary(user):
    """The head teacher's own classes and their overdue books, for the home page."""
    if not getattr(user, "is_authenticated", False):
        return {"rows": []}
    today = timezone.localdate()
    classes = list(user.head_of_classes.filter(is_active=True))
    loans = selectors.overdue_loans(today, classes=classes, viewer=user) if classes else []
    rows = []
    for c in classes:
        items = [loan for loan in loans if loan.reader.school_class_id == c.pk]
        rows.append({"school_class": c, "name": c.name_on(today), "loans": items})
    return {"rows": rows}


@register.simple_tag
def my_active_hold(user, record):
    """The user's own waiting or ready hold on the title, with its queue position (or None)."""
    if not getattr(user, "is_authenticated", False):
        return None
    from circulation import services
    from circulation.models import Hold

    hold = (
        Hold.objects.filter(record=record, reader__user=user, status__in=[Hold.Status.WAITING, Hold.Status.READY])
        .order_by("placed_at")
        .first()
    )
    if hold is None:
        return None
    position = services.hold_queue_position(hold) if hold.status == Hold.Status.WAITING else None
    return {"hold": hold, "ready": hold.status == Hold.Status.READY, "position": position}
