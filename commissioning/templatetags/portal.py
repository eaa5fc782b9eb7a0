"""Small template helpers for charts and tags."""

from django import template

register = template.Library()

RATING_COLOURS = {"outstanding": "#007f3b", "good": "#005eb8",
                  "requires_improvement": "#ffb81c", "inadequate": "#d5281b"}
# CQC's ratings and the quality monitoring visits' (Excellent ... Poor) share the colours.
RATING_TAGS = {"outstanding": "green", "excellent": "green", "good": "blue",
               "requires_improvement": "orange", "inadequate": "red", "poor": "red"}


@register.filter
def multiply(value, factor) -> int:
    return int(value) * int(factor)


@register.filter
def bar_width(value, maximum, full: int = 380) -> int:
    """Bar length in a 380-unit chart area, at least 1 so a zero still shows."""
    maximum = int(maximum) or 1
    return max(1, round(full * int(value) / maximum))


@register.filter
def rating_colour(value) -> str:
    return RATING_COLOURS.get(value, "#768692")


@register.filter
def rating_tag(value) -> str:
    return RATING_TAGS.get(value, "grey")


@register.filter
def selected_value(bound_field) -> str:
    """The chosen value of a select as text; a CSV select (sorting) gives a list."""
    value = bound_field.value()
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return "" if value is None else str(value)
