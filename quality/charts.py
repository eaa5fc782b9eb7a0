"""Server-rendered SVG charts: pure functions from numbers to markup.

No JavaScript, no external fonts and no stylesheet: colours and the font are set on the
elements themselves, so the same SVG works in a browser and in a PDF. Every chart has a
``<title>`` and a ``<desc>`` for screen readers, and ``*_figure`` adds a visually hidden
table of the same numbers for people who cannot see the chart.
"""

import datetime as dt
import hashlib
import math
from collections.abc import Sequence

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

FONT = "Arial, Helvetica, sans-serif"
TEXT_COLOUR = "#212b32"
AXIS_COLOUR = "#4c6272"
GRID_COLOUR = "#d8dde0"
LINE_COLOUR = "#005eb8"


def month_label(month: dt.date, short: bool = False) -> str:
    """October 2026, or "Oct 26" where space is short."""
    return month.strftime("%b %y") if short else month.strftime("%B %Y")


def format_number(value: float | int | None) -> str:
    """12 → "12", 2.5 → "2.5", 0.333 → "0.33"; no value → "No return"."""
    if value is None:
        return "No return"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def nice_ticks(maximum: float, count: int = 4) -> list[float]:
    """Round steps from 0 to at least ``maximum``: 0, 5, 10, 15, 20 for a maximum of 17."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    top = math.ceil(maximum / step - 1e-9) * step
    return [round(step * n, 10) for n in range(int(round(top / step)) + 1)]


def unique_chart_id(prefix: str, *content) -> str:
    """A stable id from the chart's content, so the same numbers give the same markup."""
    return f"{prefix}-{hashlib.sha1(repr(content).encode()).hexdigest()[:10]}"


def svg_text(x, y, content, *, anchor="start", size=13, weight="normal", colour=TEXT_COLOUR):
    return format_html(
        '<text x="{}" y="{}" text-anchor="{}" font-family="{}" font-size="{}" font-weight="{}" '
        'fill="{}">{}</text>', svg_number(x), svg_number(y), anchor, FONT, size, weight, colour, content)


def svg_number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def line_chart_svg(series: Sequence[tuple[dt.date, float | None]], *, title: str,
                   unit: str = "", width: int = 640, height: int = 260) -> SafeString:
    """A line chart of monthly values. A month without a value breaks the line."""
    chart_id = unique_chart_id("chart", title, unit, list(series))
    left, right, top, bottom = 48, 28, 36, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, v in series if v is not None]
    ticks = nice_ticks(max(values, default=0))
    top_value = ticks[-1] or 1
    step = plot_w / max(len(series) - 1, 1)

    def x(i):
        return left + (i * step if len(series) > 1 else plot_w / 2)

    def y(v):
        return top + plot_h - (v / top_value) * plot_h

    parts = [svg_text(0, 20, title, size=15, weight="bold")]
    for tick in ticks:
        parts.append(format_html('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" '
                                 'stroke-width="1"/>', left, width - right, svg_number(y(tick)),
                                 svg_number(y(tick)), GRID_COLOUR))
        parts.append(svg_text(left - 6, y(tick) + 4, format_number(tick), anchor="end", size=12))
    parts.append(format_html('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5"/>',
                             left, left, top, top + plot_h, AXIS_COLOUR))
    parts.append(format_html('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5"/>',
                             left, width - right, top + plot_h, top + plot_h, AXIS_COLOUR))
    label_every = max(1, math.ceil(len(series) / 8))
    for i, (month, _) in enumerate(series):
        if (len(series) - 1 - i) % label_every == 0:  # counted back, so the latest shows
            parts.append(svg_text(x(i), top + plot_h + 18, month_label(month, short=True),
                               anchor="middle", size=12))
    for run in unbroken_runs(series):
        points = " ".join(f"{svg_number(x(i))},{svg_number(y(v))}" for i, v in run)
        if len(run) > 1:
            parts.append(format_html('<polyline points="{}" fill="none" stroke="{}" '
                                     'stroke-width="2.5"/>', points, LINE_COLOUR))
        for i, v in run:
            parts.append(format_html('<circle cx="{}" cy="{}" r="3.5" fill="{}"/>',
                                     svg_number(x(i)), svg_number(y(v)), LINE_COLOUR))
    if not values:
        parts.append(svg_text(left + plot_w / 2, top + plot_h / 2, "No returns in these months",
                           anchor="middle"))
    parts.append(svg_text(left, height - 6, f"Unit: {unit}" if unit else "", size=12))
    return svg_document(chart_id, width, height, title, _describe(series, unit), parts)


def unbroken_runs(series) -> list[list[tuple[int, float]]]:
    """Consecutive months with values, so gaps show as breaks in the line."""
    runs, current = [], []
    for i, (_, value) in enumerate(series):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((i, value))
    if current:
        runs.append(current)
    return runs


def _describe(series, unit: str) -> str:
    known = [(m, v) for m, v in series if v is not None]
    if not series:
        return "No months to show."
    span = f"From {month_label(series[0][0])} to {month_label(series[-1][0])}."
    if not known:
        return f"{span} No returns in these months."
    latest_month, latest = known[-1]
    high_month, high = max(known, key=lambda mv: mv[1])
    suffix = f" {unit}" if unit else ""
    return (f"{span} Latest: {format_number(latest)}{suffix} in {month_label(latest_month)}. "
            f"Highest: {format_number(high)}{suffix} in {month_label(high_month)}.")


def svg_document(chart_id, width, height, title, description, parts) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="portal-line-chart" role="img" '
        'viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{desc}</desc>{body}</svg>',
        w=width, h=height, id=chart_id, title=title, desc=description,
        body=mark_safe("".join(parts)))  # noqa: S308 - every part is built by format_html


def bar_chart_svg(bars: Sequence[tuple[str, int, str]], *, title: str,
                  width: int = 640) -> SafeString:
    """Horizontal bars: (label, count, colour). Zero still shows as a thin bar."""
    chart_id = unique_chart_id("bars", title, list(bars))
    row, label_w, top = 34, 190, 32
    height = top + row * len(bars) + 8
    biggest = max([n for _, n, _ in bars] + [1])
    full = width - label_w - 70
    parts = [svg_text(0, 20, title, size=15, weight="bold")]
    for i, (label, count, colour) in enumerate(bars):
        y = top + i * row
        length = max(1, round(full * count / biggest))
        parts.append(svg_text(0, y + 19, label))
        parts.append(format_html('<rect x="{}" y="{}" width="{}" height="24" fill="{}"/>',
                                 label_w, y + 2, length, colour))
        parts.append(svg_text(label_w + length + 8, y + 19, format_number(count)))
    description = " ".join(f"{label}: {format_number(n)}." for label, n, _ in bars)
    return svg_document(chart_id, width, height, title, description, parts)


def _hidden_table(caption: str, headings: tuple[str, str], rows) -> SafeString:
    body = "".join(format_html('<tr class="nhsuk-table__row"><th class="nhsuk-table__cell" '
                               'scope="row">{}</th><td class="nhsuk-table__cell">{}</td></tr>',
                               label, value) for label, value in rows)
    return format_html(
        '<table class="nhsuk-table nhsuk-u-visually-hidden"><caption>{}</caption>'
        '<thead><tr><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
        '<tbody>{}</tbody></table>', caption, headings[0], headings[1], mark_safe(body))  # noqa: S308


def line_chart(series: Sequence[tuple[dt.date, float | None]], *, title: str,
               unit: str = "") -> SafeString:
    """The line chart in a figure, with the numbers as a visually hidden table."""
    rows = [(month_label(m), format_number(v)) for m, v in series]
    return format_html('<figure class="portal-figure">{}{}</figure>',
                       line_chart_svg(series, title=title, unit=unit),
                       _hidden_table(title, ("Month", unit.capitalize() or "Value"), rows))


def bar_chart(bars: Sequence[tuple[str, int, str]], *, title: str,
              category: str = "Status", measure: str = "Homes") -> SafeString:
    """The bar chart in a figure, with the numbers as a visually hidden table."""
    rows = [(label, format_number(n)) for label, n, _ in bars]
    return format_html('<figure class="portal-figure">{}{}</figure>',
                       bar_chart_svg(bars, title=title), _hidden_table(title, (category, measure), rows))
