"""Filters for the report PDF (``quality/visits/report_pdf.html``)."""

from django import template

from ..choices import Rating

register = template.Library()


@register.filter
def rating_label(value) -> str:
    """"requires_improvement" → "Requires improvement"; "–" when there is no rating."""
    return Rating(value).label if value in Rating.values else "–"
