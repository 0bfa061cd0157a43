"""Small things a new user notices: the byline of a record without an author, whole facet labels,
barcodes that scale and stay centred, a favicon."""

import re

import pytest
from django.urls import reverse

from catalog import labels
from circulation.barcodes import barcode_svg

pytestmark = pytest.mark.django_db


def bylines(response) -> list[str]:
    html = response.content.decode()
    return [re.sub(r"\s+", " ", b).strip() for b in re.findall(r'data-testid="byline">(.*?)</div>', html, re.S)]


def test_a_record_without_an_author_does_not_start_with_a_dot(client, catalogue):
    catalogue("西游记", authors="", publisher="人民文学出版社", pub_year=2019)
    catalogue("西游记故事", authors="吴承恩", publisher="", pub_year=None)
    lines = bylines(client.get(reverse("catalog:opac") + "?q=西游"))
    assert sorted(lines) == ["人民文学出版社 · 2019", "吴承恩"]


def test_facet_labels_show_the_whole_class_name(client, catalogue):
    catalogue("毛泽东选集", clc="A41")
    html = client.get(reverse("catalog:opac") + "?q=选集").content.decode()
    assert "A 马克思主义、列宁主义、毛泽东思想、邓小平理论" in html


@pytest.mark.parametrize("svg", [labels.code128_svg("C0000001"), barcode_svg("R000001")], ids=["label", "card"])
def test_barcodes_scale_inside_their_box_and_stay_centred(svg):
    opening = svg[: svg.index(">") + 1]
    assert "viewBox=" in opening
    assert 'preserveAspectRatio="xMidYMid meet"' in opening


def test_pages_name_a_favicon_and_favicon_ico_is_not_a_404(client):
    html = client.get(reverse("catalog:opac")).content.decode()
    assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', html)
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
