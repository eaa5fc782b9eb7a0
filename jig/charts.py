"""Server-rendered SVG XmR charts, drawn from a ``jig.spc.XmrResult``.

Same conventions as ``quality.charts`` (whose helpers this reuses): no JavaScript, no external
fonts, no stylesheet, so one SVG serves pages and PDFs; a ``<title>`` and ``<desc>`` for screen
readers; and ``xmr_chart`` wraps the SVG in a figure with a visually hidden table of the numbers.
Colour is never the only cue: signals also get a larger marker with a dark ring, and the table
and description spell them out.
"""

import math

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from jig.spc import VARIATION_COLOURS, Assurance, ChartKind, Rule, Variation, XmrResult
from quality.charts import (
    AXIS_COLOUR,
    GRID_COLOUR,
    TEXT_COLOUR,
    format_number,
    month_label,
    svg_document,
    svg_number,
    svg_text,
    unbroken_runs,
    unique_chart_id,
)

SERIES_COLOUR = "#768692"
LIMIT_COLOUR = "#4c6272"
RULE_NAMES = {
    Rule.OUTSIDE_LIMITS: "outside the process limits",
    Rule.SHIFT: "shift",
    Rule.TREND: "trend",
    Rule.TWO_OF_THREE: "two of three beyond two sigma",
}
SHORT_VARIATION = {
    Variation.COMMON_CAUSE: "Common cause",
    Variation.IMPROVEMENT: "Improvement",
    Variation.CONCERN: "Concern",
    Variation.NEITHER: "Special cause",
}


def xmr_chart_svg(result: XmrResult, *, title: str, unit: str = "", width: int = 640,
                  height: int = 300) -> SafeString:
    """The XmR (or run) chart: series, centre line, dashed limits and signal-coloured points."""
    chart_id = unique_chart_id("xmr", title, unit, result)
    box = _Box(result, width, height)
    parts = [svg_text(0, 20, title, size=15, weight="bold"), *_badges(result, width)]
    parts += _axes(box, result)
    parts += _reference_lines(box, result)
    parts += _series(box, result)
    if not result.observed_count:
        parts.append(svg_text(box.left + box.plot_w / 2, box.top + box.plot_h / 2,
                           "No returns in these months", anchor="middle"))
    parts.append(svg_text(box.left, height - 6, f"Unit: {unit}" if unit else "", size=12))
    return svg_document(chart_id, width, height, title, describe(result, unit), parts)


def xmr_chart(result: XmrResult, *, title: str, unit: str = "") -> SafeString:
    """The chart in a figure, with every point and its signals as a visually hidden table."""
    rows = "".join(
        format_html('<tr class="nhsuk-table__row"><th class="nhsuk-table__cell" scope="row">{}</th>'
                    '<td class="nhsuk-table__cell">{}</td><td class="nhsuk-table__cell">{}</td></tr>',
                    month_label(p.period), format_number(p.value), _signal_text(p))
        for p in result.points)
    table = format_html(
        '<table class="nhsuk-table nhsuk-u-visually-hidden"><caption>{} ({})</caption>'
        '<thead><tr><th scope="col">Month</th><th scope="col">{}</th><th scope="col">Variation</th>'
        '</tr></thead><tbody>{}</tbody></table>',
        title, result.note, unit.capitalize() or "Value", mark_safe(rows))  # noqa: S308
    return format_html('<figure class="portal-figure">{}{}</figure>',
                       xmr_chart_svg(result, title=title, unit=unit), table)


def describe(result: XmrResult, unit: str = "") -> str:
    """A sentence or three for screen readers: span, lines, latest value and its variation."""
    if not result.points:
        return "No months to show."
    span = f"{result.kind.label} from {month_label(result.points[0].period)} to " \
           f"{month_label(result.points[-1].period)}."
    latest = result.latest
    if latest is None:
        return f"{span} No returns in these months."
    suffix = f" {unit}" if unit else ""
    centre = "Mean" if result.kind == ChartKind.XMR else "Median"
    text = f"{span} {centre} {format_number(round(result.centre, 2))}{suffix}."
    if result.limits:
        text += (f" Process limits {format_number(round(result.limits.lower, 2))} to "
                 f"{format_number(round(result.limits.upper, 2))}.")
    text += (f" Latest: {format_number(latest.value)}{suffix} in {month_label(latest.period)}. "
             f"{result.icon.label}.")
    special = sum(p.is_special_cause for p in result.points)
    if special:
        text += f" {special} of {result.observed_count} points show special cause variation."
    if result.assurance:
        text += f" Target {format_number(result.target)}: {result.assurance.label.lower()}."
    return text


class _Box:
    """The plot area and the scales from values to pixels."""

    left, right, top, bottom = 52, 118, 40, 48

    def __init__(self, result: XmrResult, width: int, height: int):
        self.width, self.count = width, len(result.points)
        self.plot_w = width - self.left - self.right
        self.plot_h = height - self.top - self.bottom
        lines = [v for v in (result.centre, *_limit_values(result)) if v is not None]
        values = [p.value for p in result.points if p.value is not None] + lines
        self.ticks = _ticks(min(values, default=0), max(values, default=1))

    def x(self, i: int) -> float:
        if self.count < 2:
            return self.left + self.plot_w / 2
        return self.left + i * self.plot_w / (self.count - 1)

    def y(self, value: float) -> float:
        low, high = self.ticks[0], self.ticks[-1]
        return self.top + self.plot_h - (value - low) / (high - low) * self.plot_h


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round steps covering ``low`` to ``high``; unlike quality's axis, not always from 0."""
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(step * n, 10) for n in range(first, last + 1)]


def _limit_values(result: XmrResult) -> tuple[float, ...]:
    return (result.limits.lower, result.limits.upper) if result.limits else ()


def _axes(box: _Box, result: XmrResult) -> list[SafeString]:
    parts = []
    for tick in box.ticks:
        parts.append(_line(box.left, box.left + box.plot_w, box.y(tick), box.y(tick), GRID_COLOUR, 1))
        parts.append(svg_text(box.left - 6, box.y(tick) + 4, format_number(tick), anchor="end", size=12))
    bottom = box.top + box.plot_h
    parts.append(_line(box.left, box.left, box.top, bottom, AXIS_COLOUR, 1.5))
    parts.append(_line(box.left, box.left + box.plot_w, bottom, bottom, AXIS_COLOUR, 1.5))
    label_every = max(1, math.ceil(len(result.points) / 8))
    for i, point in enumerate(result.points):
        if (len(result.points) - 1 - i) % label_every == 0:  # counted back, so the latest shows
            parts.append(svg_text(box.x(i), bottom + 18, month_label(point.period, short=True),
                               anchor="middle", size=12))
    return parts


def _reference_lines(box: _Box, result: XmrResult) -> list[SafeString]:
    if result.centre is None:
        return []
    centre_name = "Mean" if result.kind == ChartKind.XMR else "Median"
    lines = [("xmr-centre", centre_name, result.centre, "")]
    if result.limits:
        lines += [("xmr-limit", "Upper limit", result.limits.upper, "6 4"),
                  ("xmr-limit", "Lower limit", result.limits.lower, "6 4")]
    parts = []
    for css, name, value, dashes in lines:
        y = box.y(value)
        parts.append(format_html(
            '<line class="{}" x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1.5"{}/>',
            css, box.left, svg_number(box.left + box.plot_w), svg_number(y), svg_number(y), LIMIT_COLOUR,
            format_html(' stroke-dasharray="{}"', dashes) if dashes else ""))
        parts.append(svg_text(box.left + box.plot_w + 6, y + 4,
                           f"{name} {format_number(round(value, 2))}", size=11))
    return parts


def _series(box: _Box, result: XmrResult) -> list[SafeString]:
    parts = []
    for run in unbroken_runs([(p.period, p.value) for p in result.points]):
        if len(run) > 1:
            points = " ".join(f"{svg_number(box.x(i))},{svg_number(box.y(v))}" for i, v in run)
            parts.append(format_html('<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
                                     points, SERIES_COLOUR))
    for i, point in enumerate(result.points):
        if point.value is None:
            continue
        colour = VARIATION_COLOURS[point.variation]
        ring = format_html(' r="5" stroke="{}" stroke-width="1.5"', TEXT_COLOUR) \
            if point.is_special_cause else mark_safe(' r="3.5"')
        parts.append(format_html('<circle class="xmr-point" cx="{}" cy="{}" fill="{}"{}/>',
                                 svg_number(box.x(i)), svg_number(box.y(point.value)), colour, ring))
    return parts


def _badges(result: XmrResult, width: int) -> list[SafeString]:
    """The variation icon (and assurance, with a target) as small labelled badges, top right."""
    side = f" ({result.latest.side.label.lower()})" if result.latest and result.latest.side else ""
    badges = [(f"{SHORT_VARIATION[result.variation]}{side}", result.icon_colour, "xmr-icon",
               result.icon.value, result.icon.label)]
    if result.assurance:
        badges.append((_ASSURANCE_SHORT[result.assurance], AXIS_COLOUR, "xmr-assurance",
                       result.assurance.value, result.assurance.label))
    parts, right = [], width
    for label, colour, css, value, long_label in badges:
        badge_w = 24 + 7 * len(label)
        x = right - badge_w
        parts.append(format_html(
            '<g class="{}" data-value="{}"><title>{}</title>'
            '<rect x="{}" y="4" width="{}" height="22" rx="11" fill="#ffffff" stroke="{}" '
            'stroke-width="1.5"/>'
            '<rect x="{}" y="10" width="10" height="10" rx="5" fill="{}"/>{}</g>',
            css, value, long_label, x, badge_w, colour, x + 7, colour,
            svg_text(x + 21, 19, label, size=12)))
        right = x - 6
    return parts


_ASSURANCE_SHORT = {
    Assurance.PASS: "Target: pass",
    Assurance.HIT_OR_MISS: "Target: hit or miss",
    Assurance.FAIL: "Target: fail",
}


def _signal_text(point) -> str:
    if point.value is None:
        return "No return"
    if not point.signals:
        return "Common cause"
    rules = ", ".join(RULE_NAMES[Rule(rule)] for rule in point.rules)
    return f"{point.variation.label} ({rules})"


def _line(x1, x2, y1, y2, colour, width) -> SafeString:
    return format_html('<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="{}"/>',
                       svg_number(x1), svg_number(x2), svg_number(y1), svg_number(y2), colour, width)
