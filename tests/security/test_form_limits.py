"""Every form's limits are its columns' limits: a value the database would refuse (too long, a NUL
byte, past the integer column's range, NaN or too many digits for a decimal column) is refused by
the form with a message on the field, never passed on to become a 500.

The project's forms are found by walking every module of the project's apps (INSTALLED_APPS, see
tests/security/project.py), so a new form, or a new app's, is checked without being listed here. Plain forms (forms.Form) name the column each of their fields is stored in
(COLUMNS below); a plain text field stored nowhere must still declare a max_length."""

from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth.models import User
from django.db import connection, models

from catalog.models import Copy, SourceFile
from circulation.models import ClosedDay, LibraryCard
from reading.models import Honour, Participant, ReadingList, ReadingListItem, ReadingNote
from serials.models import BoundVolume, Subscription
from stocktake.models import Stocktake, StocktakeItem, StocktakeScan

from .project import project_forms, project_modules

pytestmark = pytest.mark.django_db


def _column(model, name):
    return model._meta.get_field(name)


# Plain forms: (form, field) → the model field the value is written to or looked up in (a foreign
# key stands for the id of the row it points to).
COLUMNS = {
    ("catalog.forms.NewCopiesForm", "copy_price"): _column(Copy, "price"),
    ("catalog.views.pool.PoolUploadForm", "name"): _column(SourceFile, "name"),
    ("catalog.views.pool.PoolUploadForm", "origin"): _column(SourceFile, "origin"),
    ("circulation.forms.DayForm", "reason"): _column(ClosedDay, "reason"),
    ("circulation.forms.ReaderForm", "username"): _column(User, "username"),
    ("circulation.forms.SchoolClassForm", "head_teacher_username"): _column(User, "username"),
    ("library.forms.LoginForm", "username"): _column(User, "username"),
    ("serials.forms.ScanForm", "year"): _column(Subscription, "year"),
    ("serials.forms.BindForm", "label"): _column(BoundVolume, "label"),
    ("stocktake.forms.OpenForm", "name"): _column(Stocktake, "name"),
    ("stocktake.forms.OpenForm", "class_prefixes"): _column(Stocktake, "class_prefixes"),
    ("stocktake.forms.OpenForm", "call_from"): _column(Stocktake, "call_from"),
    ("stocktake.forms.OpenForm", "call_to"): _column(Stocktake, "call_to"),
    ("stocktake.forms.ScanForm", "barcode"): _column(StocktakeScan, "barcode"),
    ("stocktake.forms.ScanInputForm", "barcode"): _column(StocktakeScan, "barcode"),
    ("stocktake.forms.CopyChoiceForm", "copy"): _column(StocktakeItem, "copy"),
    ("selfcheck.forms.CardForm", "card"): _column(LibraryCard, "number"),
    ("selfcheck.forms.ScanForm", "barcode"): _column(Copy, "barcode"),
    ("reading.forms.ItemAddForm", "note"): _column(ReadingListItem, "note"),
    ("reading.forms.ItemNoteForm", "note"): _column(ReadingListItem, "note"),
    ("reading.forms.ListImportForm", "title"): _column(ReadingList, "title"),
    ("reading.forms.ListImportConfirmForm", "title"): _column(ReadingList, "title"),
    ("reading.forms.ParticipantAddForm", "reader"): _column(Participant, "reader"),
    ("reading.forms.ResultForm", "work_title"): _column(Participant, "work_title"),
    ("reading.forms.HonourAddForm", "reader"): _column(Honour, "reader"),
    ("reading.forms.ReadingNoteForm", "reader"): _column(ReadingNote, "reader"),
    ("reading.forms.ReadingNoteForm", "book_title"): _column(ReadingNote, "book_title"),
    ("reading.forms.ReadingNoteForm", "note"): _column(ReadingNote, "note"),
}
# Form fields longer than their column on purpose, each normalised to fit by the form.
NORMALISED = {("catalog.forms.RecordForm", "isbn")}  # typed with hyphens (17 characters), stored as 13 digits
# Form fields shorter than their column on purpose (the form's limit is the column's otherwise).
SHORTER = {
    # the import names one list per grade "<title> · 小学三年级": room for the grade in the column
    ("reading.forms.ListImportForm", "title"),
    ("reading.forms.ListImportConfirmForm", "title"),
}


def qualified(form_class) -> str:
    return f"{form_class.__module__}.{form_class.__name__}"


def column_of(form_class, name):
    column = COLUMNS.get((qualified(form_class), name))
    meta = getattr(form_class, "_meta", None)
    model = getattr(meta, "model", None)
    if column is None and model is not None:
        try:
            column = model._meta.get_field(name)
        except Exception:
            return None
    if isinstance(column, models.ForeignKey):
        return column.target_field  # the id of the row it points to
    return column


def cases():
    for form_name, form_class in project_forms():
        for name in form_class.base_fields:
            yield pytest.param(form_class, name, id=f"{form_name}.{name}")


def hostile_values(form_class, name, field, column):
    """(value, why) pairs the form must refuse for this field."""
    if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
        yield "a\x00b", "NUL byte"
        limit = column.max_length if isinstance(column, models.CharField) else field.max_length
        if limit is not None and (qualified(form_class), name) not in NORMALISED:
            yield "x" * (limit + 1), f"longer than {limit}"
    if isinstance(field, forms.DecimalField):
        yield "NaN", "NaN"
        yield "Infinity", "Infinity"
        if isinstance(column, models.DecimalField):
            yield str(Decimal(10) ** (column.max_digits - column.decimal_places)), "too many digits"
            yield "0." + "1" * (column.decimal_places + 1), "too many decimals"
    if isinstance(field, forms.IntegerField) and isinstance(column, models.IntegerField):
        low, high = connection.ops.integer_field_range(column.get_internal_type())
        if high is not None:
            yield str(high + 1), f"past the column's maximum {high}"
        if low is not None:
            yield str(low - 1), f"below the column's minimum {low}"
        yield "9" * 30, "past 64 bits"


def test_the_walk_finds_the_forms_of_every_app():
    names = {name for name, _cls in project_forms()}
    assert {
        "catalog.forms.RecordForm",
        "catalog.views.transfer.UploadForm",
        "circulation.forms.ReaderForm",
        "library.forms.LoginForm",
        "serials.forms.SubscriptionForm",
        "reading.forms.ActivityForm",
        "stocktake.forms.OpenForm",
        "selfcheck.forms.KioskForm",
    } <= names
    # every app's forms module (serials.forms, reading.forms ...) gave its forms to the check
    form_modules = {m for m in project_modules() if m.rsplit(".", 1)[-1] == "forms"}
    assert {f"{app}.forms" for app in ("catalog", "circulation", "library", "serials", "reading")} <= form_modules
    assert form_modules <= {name.rsplit(".", 1)[0] for name in names}


@pytest.mark.parametrize(("form_class", "name"), cases())
def test_a_value_the_column_cannot_hold_is_refused_by_the_form(form_class, name):
    # An instance, not base_fields: some forms set their limits in __init__ (AuthenticationForm).
    fields = form_class().fields
    if name not in fields:  # shown only in some states (RecordForm.cover_clear: a record with a cover)
        field = form_class.base_fields[name]
        assert not isinstance(field, forms.CharField), f"{qualified(form_class)}.{name}: a text field left unchecked"
        return
    field = fields[name]
    column = column_of(form_class, name)
    # (Passwords are never stored, only their hash.)
    if isinstance(field, forms.CharField) and column is None and not isinstance(field.widget, forms.PasswordInput):
        assert field.max_length is not None, f"{qualified(form_class)}.{name}: a text field without a column or a limit"
    if isinstance(field, forms.IntegerField) and column is None:
        assert field.max_value is not None, f"{qualified(form_class)}.{name}: a number without a column or a maximum"
    if isinstance(column, models.CharField) and isinstance(field, forms.CharField):
        key = (qualified(form_class), name)
        if key in SHORTER:
            assert field.max_length is not None and field.max_length < column.max_length
        elif key not in NORMALISED:
            assert field.max_length == column.max_length, (
                f"{qualified(form_class)}.{name}: form allows {field.max_length}, column {column.max_length}"
            )
    for value, why in hostile_values(form_class, name, field, column):
        form = form_class(data={name: value})
        assert name in form.errors, f"{qualified(form_class)}.{name} accepted a value {why}"


def test_the_isbn_field_stores_at_most_its_column():
    from catalog.forms import RecordForm
    from catalog.models import Record

    form = RecordForm(data={"isbn": "978-7-5322-4567-" + "8" * 10})
    assert "isbn" in form.errors
    form = RecordForm(data={"isbn": "978-7-02-000220-7"})
    form.is_valid()
    assert len(form.cleaned_data["isbn"]) <= Record._meta.get_field("isbn").max_length
