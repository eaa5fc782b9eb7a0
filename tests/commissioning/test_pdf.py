"""The shared PDF renderer: A4 with marking and page numbers, and nothing fetched from outside."""

import io
import re

import pytest
from django.test import override_settings
from pypdf import PdfReader

from commissioning.pdf import OFFICIAL_SENSITIVE, ResourceRefused, render_pdf

DOCUMENT = """{% extends "pdf/base.html" %}
{% block title %}{{ heading }}{% endblock %}
{% block running_title %}{{ heading }}{% endblock %}
{% block content %}<h1>{{ heading }}</h1>{{ extra|safe }}
<table><thead><tr><th>Home</th><th class="num">Beds</th></tr></thead><tbody>
{% for n in rows %}<tr><td>Home number {{ n }}</td><td class="num">{{ n }}</td></tr>{% endfor %}
</tbody></table>{% endblock %}"""


@pytest.fixture
def document(tmp_path, settings):
    (tmp_path / "doc.html").write_text(DOCUMENT)
    templates = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    with override_settings(TEMPLATES=templates):
        yield "doc.html"


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_long_table_runs_over_a4_pages_numbered_and_marked_with_its_header_repeated(document):
    pdf = render_pdf(document, {"heading": "Sutton JIG pack", "rows": range(1, 121)},
                     marking=OFFICIAL_SENSITIVE)
    reader = PdfReader(io.BytesIO(pdf))
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = pages(pdf)
    assert len(text) >= 2
    for number, page in enumerate(text, start=1):
        assert f"Page {number} of {len(text)}" in page
        assert page.count(OFFICIAL_SENSITIVE) == 2  # top and bottom
        assert "Home" in page and "Beds" in page  # the header row on every page
    assert "Sutton JIG pack" in text[0]
    assert re.search(r"Home number 1\b", text[0])
    assert "Home number 120" in text[-1]


def test_a_document_naming_an_outside_image_is_refused_not_fetched(document):
    with pytest.raises(ResourceRefused, match="http://example.invalid/logo.png"):
        render_pdf(document, {"heading": "Report", "rows": [1],
                              "extra": '<img src="http://example.invalid/logo.png">'})


def test_inline_svg_charts_are_allowed(document):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><text x="0" y="15">'
           'Chart label</text></svg>')
    assert "Chart label" in pages(render_pdf(document, {"heading": "Report", "rows": [1], "extra": svg}))[0]
