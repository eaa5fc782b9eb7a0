"""Printable documents (visit reports, JIG meeting packs) rendered to PDF by WeasyPrint.

Every document extends ``templates/pdf/base.html``: A4 portrait, the protective marking at the
top and bottom of every page, "Page N of M", NHS blue headings, table headers repeated on each
page and table rows never split across pages. Rendering never reaches the network: the only
resources a document may load are ``data:`` URLs (charts are inline SVG), so a template that
names anything else fails loudly rather than fetching it. PDFs are built by Celery tasks, not
in a request (see each app's tasks), because a long pack takes seconds.
"""

from django.template.loader import render_to_string

OFFICIAL = "OFFICIAL"
OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE"


class ResourceRefused(ValueError):
    """A document tried to load something other than an inline (data:) resource."""


def render_pdf(template_name: str, context: dict, *, marking: str = OFFICIAL) -> bytes:
    """The PDF of ``template_name`` (which extends ``pdf/base.html``) rendered with ``context``.

    ``marking`` is the Government Security Classification printed on every page. Raises
    ``ResourceRefused`` when the document names any resource that is not inline.
    """
    from weasyprint import HTML  # imported here: only the PDF tasks need it loaded
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    html = render_to_string(template_name, {**context, "marking": marking})
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    try:
        return HTML(string=html, url_fetcher=fetcher).write_pdf()
    except FatalURLFetchingError as exc:
        raise ResourceRefused(f"PDF documents load nothing from outside: {exc}") from exc
