"""The Z39.50 servers the cataloguers copy records from."""

from catalog.models import (
    Z3950Target,
)


def z3950_target_save(*, form) -> Z3950Target:
    """Save a valid Z3950TargetForm; an empty password field keeps the stored password."""
    target = form.save(commit=False)
    if form.cleaned_data.get("password"):
        target.password = form.cleaned_data["password"]
    target.save()
    return target


def z3950_target_delete(*, target: Z3950Target) -> None:
    """Remove a Z39.50 server from the list (records copied from it stay as they are)."""
    Z3950Target.objects.filter(pk=target.pk).delete()
