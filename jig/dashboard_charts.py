"""The JIG dashboard's summary chart: homes by RAG rating, each bar split by how the homes
moved since the last meeting.

Server-rendered SVG with the conventions of ``quality.charts`` (no JavaScript, a title and a
description for screen readers, a visually hidden table of the numbers). Colour is not the
only cue: each bar is labelled with its total and its split, with the arrows the table uses.
"""

from collections import Counter

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from quality.charts import format_number, svg_document, svg_text, unique_chart_id

from .choices import Movement, Rag
from .views.risk_display import RAG_COLOURS

UNRATED = ""
UNRATED_COLOUR = "#768692"
MOVEMENT_ORDER = (Movement.WORSE, Movement.SAME, Movement.BETTER, Movement.NEW)
MOVEMENT_MARKS = {Movement.WORSE: "▲", Movement.SAME: "=", Movement.BETTER: "▼", Movement.NEW: "new"}
MOVEMENT_OPACITY = {Movement.WORSE: "1", Movement.SAME: "0.7", Movement.BETTER: "0.45", Movement.NEW: "0.25",
                    UNRATED: "1"}
RAG_ROWS = ((Rag.RED, "Red"), (Rag.AMBER, "Amber"), (Rag.GREEN, "Green"), (UNRATED, "Not rated"))


def rag_movement_counts(rows) -> dict[str, Counter]:
    """For each RAG (and not rated), how many homes moved each way: {rag: Counter(movement)}."""
    counts: dict[str, Counter] = {rag: Counter() for rag, _ in RAG_ROWS}
    for row in rows:
        counts.setdefault(row.rag or UNRATED, Counter())[row.movement or UNRATED] += 1
    return counts


def _split_text(counter: Counter) -> str:
    return " · ".join(f"{MOVEMENT_MARKS[m]} {format_number(counter[m])}"
                      for m in MOVEMENT_ORDER if counter[m])


def rag_movement_svg(counts: dict[str, Counter], *, title: str, width: int = 640) -> SafeString:
    chart_id = unique_chart_id("ragmove", title, sorted((k, sorted(v.items())) for k, v in counts.items()))
    row_h, label_w, top, bar_w = 34, 96, 32, 300
    height = top + row_h * len(RAG_ROWS) + 30
    biggest = max([sum(c.values()) for c in counts.values()] + [1])
    parts = [svg_text(0, 20, title, size=15, weight="bold")]
    for i, (rag, label) in enumerate(RAG_ROWS):
        counter, y = counts.get(rag, Counter()), top + i * row_h
        total = sum(counter.values())
        colour = RAG_COLOURS.get(rag, UNRATED_COLOUR)
        parts.append(svg_text(0, y + 19, label))
        x = label_w
        for movement in (*MOVEMENT_ORDER, UNRATED):
            n = counter[movement]
            if not n:
                continue
            length = max(1.0, bar_w * n / biggest)
            parts.append(format_html(
                '<rect class="rag-move-segment" data-rag="{}" data-movement="{}" x="{}" y="{}" width="{}" '
                'height="24" fill="{}" fill-opacity="{}" stroke="#ffffff" stroke-width="1"/>',
                rag or "none", movement or "none", round(x, 1), y + 2, round(length, 1), colour,
                MOVEMENT_OPACITY[movement]))
            x += length
        if not total:
            parts.append(format_html('<rect x="{}" y="{}" width="1" height="24" fill="{}"/>', label_w, y + 2,
                                     colour))
        split = _split_text(counter)
        text = format_number(total) + (f" ({split})" if split else "")
        parts.append(svg_text(x + 8, y + 19, text, size=13))
    legend = "Shading and marks: ▲ worse, = no change, ▼ better, new = no rating at the last meeting"
    parts.append(svg_text(0, height - 8, legend, size=12))
    description = " ".join(_describe_row(label, counts.get(rag, Counter())) for rag, label in RAG_ROWS)
    return svg_document(chart_id, width, height, title, description, parts)


def _describe_row(label: str, counter: Counter) -> str:
    split = ", ".join(f"{format_number(counter[m])} {Movement(m).label.lower()}" for m in MOVEMENT_ORDER
                      if counter[m])
    total = format_number(sum(counter.values()))
    return f"{label}: {total} homes, of which {split}." if split else f"{label}: {total} homes."


def rag_movement_chart(rows, *, title: str) -> SafeString:
    """The chart in a figure, with its numbers as a visually hidden table."""
    counts = rag_movement_counts(rows)
    head = "".join(format_html('<th scope="col">{}</th>', Movement(m).label) for m in MOVEMENT_ORDER)
    body = "".join(
        format_html('<tr><th scope="row">{}</th>{}<td>{}</td></tr>', label,
                    mark_safe("".join(format_html("<td>{}</td>", counts[rag][m])  # noqa: S308
                                      for m in MOVEMENT_ORDER)),
                    sum(counts[rag].values()))
        for rag, label in RAG_ROWS)
    table = format_html('<table class="nhsuk-table nhsuk-u-visually-hidden"><caption>{}</caption><thead><tr>'
                        '<th scope="col">RAG rating</th>{}<th scope="col">All</th></tr></thead><tbody>{}'
                        '</tbody></table>', title, mark_safe(head), mark_safe(body))  # noqa: S308
    return format_html('<figure class="portal-figure" id="dashboard-chart">{}{}</figure>',
                       rag_movement_svg(counts, title=title), table)
