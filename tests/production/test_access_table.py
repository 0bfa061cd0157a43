"""The walk's access table stays the truth: every entry names a real page, and a page without an
entry fails the walk (so a new URL cannot slip through unwalked)."""

import pytest

from tests import urlwalk


def test_every_entry_of_the_access_table_names_a_url_pattern():
    names = {route.name for route in urlwalk.routes()}
    namespaces = {route.namespace for route in urlwalk.routes()}
    stale = [
        key
        for key in urlwalk.ACCESS
        if (key.endswith(":*") and key[:-2] not in namespaces) or (not key.endswith(":*") and key not in names)
    ]
    assert not stale


def test_a_url_pattern_without_an_entry_fails_the_walk():
    new_page = urlwalk.Route("circulation:brand_new_page", "circulation/new-page/", (), callback=None)
    with pytest.raises(urlwalk.Undeclared):
        urlwalk.allowed_roles(new_page, "get")


def test_a_parameter_the_walk_cannot_fill_fails_it():
    odd = urlwalk.Route("circulation:odd", "circulation/odd/<int:widget_id>/", ("widget_id",), callback=None)
    with pytest.raises(urlwalk.Unfillable):
        urlwalk.fill(odd, data=None)


def _redirect(from_path: str, to: str):
    from django.http import HttpResponseRedirect

    response = HttpResponseRedirect(to)
    response.request = {"PATH_INFO": from_path}
    return response


def test_a_kiosk_sent_back_to_its_page_from_elsewhere_counts_as_refused():
    assert urlwalk.is_refusal(_redirect("/circulation/desk/", "/selfcheck/"), "kiosk")


def test_a_kiosk_page_answering_with_the_kiosk_page_is_not_a_refusal():
    assert not urlwalk.is_refusal(_redirect("/selfcheck/card/", "/selfcheck/"), "kiosk")


def test_the_kiosk_may_use_only_its_own_pages_signing_out_the_health_check_and_the_icon():
    kiosk_names = sorted(
        name
        for name, entry in urlwalk.ACCESS.items()
        if "kiosk" in (entry[0] | entry[1] if isinstance(entry, tuple) else entry)
    )
    assert all(
        name.startswith("selfcheck:") or name in {"logout", "set_language", "healthz", "favicon"}
        for name in kiosk_names
    )
    assert "selfcheck:kiosk" in kiosk_names and "selfcheck:kiosks" not in kiosk_names
