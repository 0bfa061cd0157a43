"""Every form's limits are its columns' limits: a value the database would refuse (too long, a NUL
byte, past the integer column's range, NaN or too many digits for a decimal column) is refused by
the form with a message on the field, never passed on to become a 500.

The project's forms are found by walking the form modules, so a new form is checked without
being listed here. Plain forms (forms.Form) name the column each of their fields is stored in
(COLUMNS below); a plain text field stored nowhere must still declare a max_length."""

import importlib
import inspect
from decimal import Decimal

import pytest
from django import forms
from django.contrib.auth.models import User
from django.db import connection, models

from catalog.models import Copy
from circulation.models import ClosedDay

pytestmark = pytest.mark.django_db

FORM_MODULES = ["catalog.forms", "circulation.forms", "library.forms", "catalog.views.transfer"]

# Plain forms: (form, field) → the model field the value is written to.
COLUMNS = {
    ("NewCopiesForm", "copy_price"): Copy._meta.get_field("price"),
    ("DayForm", "reason"): ClosedDay._meta.get_field("reason"),
    ("ReaderForm", "username"): User._meta.get_field("username"),
    ("SchoolClassForm", "head_teacher_username"): User._meta.get_field("username"),
    ("LoginForm", "username"): User._meta.get_field("username"),
}
# Form fields longer than their column on purpose, each normalised to fit by the form.
NORMALISED = {("RecordForm", "isbn")}  # typed with hyphens (17 characters), stored as 13 digits


def project_forms():
    found = {}
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                found[obj.__name__] = obj
    return sorted(found.items())


def column_of(form_class, name):
    if (form_class.__name__, name) in COLUMNS:
        return COLUMNS[(form_class.__name__, name)]
    meta = getattr(form_class, "_meta", None)
    model = getattr(meta, "model", None)
    if model is not None:
        try:
            return model._meta.get_field(name)
        except Exception:
            return None
    return None


def cases():
    for form_name, form_class in project_forms():
        for name in form_class.base_fields:
            yield pytest.param(form_class, name, id=f"{form_name}.{name}")


def hostile_values(form_class, name, field, column):
    """(value, why) pairs the form must refuse for this field."""
    if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
        yield "a\x00b", "NUL byte"
        limit = column.max_length if isinstance(column, models.CharField) else field.max_length
        if limit is not None and (form_class.__name__, name) not in NORMALISED:
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


def test_the_walk_finds_the_forms():
    names = {name for name, _cls in project_forms()}
    assert {"RecordForm", "NewCopiesForm", "DayForm", "ReaderForm", "UploadForm", "LoginForm"} <= names


@pytest.mark.parametrize(("form_class", "name"), cases())
def test_a_value_the_column_cannot_hold_is_refused_by_the_form(form_class, name):
    # An instance, not base_fields: some forms set their limits in __init__ (AuthenticationForm).
    fields = form_class().fields
    if name not in fields:  # shown only in some states (RecordForm.cover_clear: a record with a cover)
        field = form_class.base_fields[name]
        assert not isinstance(field, forms.CharField), f"{form_class.__name__}.{name}: a text field left unchecked"
        return
    field = fields[name]
    column = column_of(form_class, name)
    # (Passwords are never stored, only their hash.)
    if isinstance(field, forms.CharField) and column is None and not isinstance(field.widget, forms.PasswordInput):
        assert field.max_length is not None, f"{form_class.__name__}.{name}: a text field without a column or a limit"
    if isinstance(column, models.CharField) and isinstance(field, forms.CharField):
        if (form_class.__name__, name) not in NORMALISED:
            assert field.max_length is not None and field.max_length <= column.max_length, (
                f"{form_class.__name__}.{name}: form allows {field.max_length}, column {column.max_length}"
            )
    for value, why in hostile_values(form_class, name, field, column):
        form = form_class(data={name: value})
        assert name in form.errors, f"{form_class.__name__}.{name} accepted a value {why}"


def test_the_isbn_field_stores_at_most_its_column():
    from catalog.forms import RecordForm
    from catalog.models import Record

    form = RecordForm(data={"isbn": "978-7-5322-4567-" + "8" * 10})
    assert "isbn" in form.errors
    form = RecordForm(data={"isbn": "978-7-02-000220-7"})
    form.is_valid()
    assert len(form.cleaned_data["isbn"]) <= Record._meta.get_field("isbn").max_length
