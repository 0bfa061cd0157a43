"""The semester summary counts repairs (修补): sent in the term, and mended back in the term."""

from datetime import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalog.models import CopyStatusChange
from reports import selectors
from reports.periods import term_period

pytestmark = pytest.mark.django_db


def at(y, m, d):
    return timezone.make_aware(datetime(y, m, d, 10))


@pytest.fixture
def repairs(school):
    c1, c2, c3 = (school.copies[k] for k in ("c1", "c2", "c3"))
    for copy, frm, to, when in [
        (c1, "on_shelf", "repair", at(2025, 6, 1)),  # sent last term
        (c1, "repair", "on_shelf", at(2025, 9, 10)),  # mended this term
        (c2, "on_shelf", "repair", at(2025, 10, 1)),
        (c2, "repair", "withdrawn", at(2025, 11, 1)),  # beyond repair: not "mended"
        (c3, "on_shelf", "repair", at(2025, 12, 1)),
    ]:
        CopyStatusChange.objects.create(copy=copy, from_status=frm, to_status=to, changed_at=when)
    return school


def test_summary_counts_repairs_sent_and_mended_in_the_term(repairs):
    col = selectors.semester_summary(term_period(repairs.term), None).collection
    assert (col["repairs_sent"], col["repairs_mended"]) == (2, 1)


def test_summary_page_and_export_show_repairs(client, librarian, repairs):
    client.force_login(librarian)
    html = client.get(reverse("reports:summary") + f"?term={repairs.term.pk}").content.decode()
    assert "送修 2 册，修好上架 1 册" in html
    book = load_workbook(BytesIO(client.get(reverse("reports:summary_export") + f"?term={repairs.term.pk}").content))
    figures = {row[1]: row[2] for row in book["概况"].iter_rows(min_row=3, values_only=True) if row[1]}
    assert (figures["送修册数"], figures["修好上架册数"]) == (2, 1)
