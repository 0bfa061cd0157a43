"""After a return at the desk, a cataloguer can send the book straight to the repair queue."""

import pytest
from django.urls import reverse

from circulation import services
from tests.circulation.test_desk_views import scan

pytestmark = pytest.mark.django_db


def test_a_returned_book_offers_the_repair_queue_to_a_librarian(client, setup):
    services.loan_checkout(reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    client.force_login(setup["by"])
    body = scan(client, "A0000001", mode="return").content.decode()
    assert f"{reverse('catalog:repairs')}?barcode=A0000001" in body


def test_an_assistant_is_not_offered_the_repair_queue(client, setup, assistant):
    services.loan_checkout(reader=setup["reader"], copy_barcode="A0000001", by=setup["by"], now=setup["now"])
    client.force_login(assistant)
    body = scan(client, "A0000001", mode="return").content.decode()
    assert "已还" in body and reverse("catalog:repairs") not in body
