"""The XmR chart SVG: valid, self-contained, accessible and true to the result it draws."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from jig import charts, spc
from jig.spc import Direction

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [dt.date(2024 + n // 12, n % 12 + 1, 1) for n in range(48)]
# Mean 20, MR̄ 3, limits 12.02 and 27.98 (worked in test_spc.py).
STEADY = [23, 20, 17, 20, 23, 20, 17, 20, 23, 20, 17, 20, 23, 20, 17]


def result_for(values, **kwargs):
    return spc.xmr(list(zip(MONTHS, values, strict=False)), **kwargs)


def parse(svg):
    return ET.fromstring(str(svg))


def test_the_chart_is_valid_xml_with_a_title_a_description_and_a_circle_per_point():
    result = result_for([*STEADY, 28.5], baseline=15, direction=Direction.LOWER_IS_BETTER)
    root = parse(charts.xmr_chart_svg(result, title="Falls per 1,000 bed days", unit="falls"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Falls per 1,000 bed days"
    desc = root.find(f"{SVG}desc").text
    assert "XmR chart from January 2024 to April 2025" in desc
    assert "Process limits 12.02 to 27.98" in desc
    assert "Special cause concerning variation: higher values" in desc
    assert len(root.findall(f".//{SVG}circle")) == 16


def test_the_mean_and_dashed_process_limits_are_drawn_and_labelled():
    svg = str(charts.xmr_chart_svg(result_for(STEADY), title="Falls"))
    root = parse(svg)
    limits = root.findall(f".//{SVG}line[@class='xmr-limit']")
    assert len(limits) == 2 and all(line.get("stroke-dasharray") for line in limits)
    centre = root.findall(f".//{SVG}line[@class='xmr-centre']")
    assert len(centre) == 1 and centre[0].get("stroke-dasharray") is None
    assert ">Upper limit 27.98<" in svg and ">Lower limit 12.02<" in svg and ">Mean 20<" in svg
    # the limit lines sit above and below the mean line (SVG y grows downwards)
    upper, lower = sorted(float(line.get("y1")) for line in limits)
    assert upper < float(centre[0].get("y1")) < lower


def test_points_are_coloured_by_their_signal():
    result = result_for([*STEADY, 28.5, 11.5, 20], baseline=15, direction=Direction.HIGHER_IS_BETTER)
    fills = [c.get("fill") for c in parse(charts.xmr_chart_svg(result, title="Falls"))
             .findall(f".//{SVG}circle")]
    assert fills == ["#7b7d7d"] * 15 + ["#289de0", "#fab428", "#7b7d7d"]


def test_a_missing_month_has_no_circle_and_breaks_the_line():
    values = [*STEADY[:7], None, *STEADY[7:]]
    root = parse(charts.xmr_chart_svg(result_for(values), title="Falls"))
    assert len(root.findall(f".//{SVG}circle")) == 15
    assert len(root.findall(f".//{SVG}polyline")) == 2


def test_a_run_chart_has_a_median_line_and_no_limits():
    svg = str(charts.xmr_chart_svg(result_for(STEADY[:12]), title="Falls"))
    root = parse(svg)
    assert not root.findall(f".//{SVG}line[@class='xmr-limit']")
    assert ">Median 20<" in svg and "Run chart from" in svg
    assert len(root.findall(f".//{SVG}circle")) == 12


@pytest.mark.parametrize(("direction", "target", "badges"), [
    (Direction.HIGHER_IS_BETTER, 10, {"xmr-icon": "improvement_high", "xmr-assurance": "pass"}),
    (Direction.NEITHER, None, {"xmr-icon": "neither_high"}),
])
def test_the_variation_icon_and_assurance_are_labelled_badges(direction, target, badges):
    result = result_for([*STEADY, 28.5], baseline=15, direction=direction, target=target)
    root = parse(charts.xmr_chart_svg(result, title="Falls"))
    found = {g.get("class"): g for g in root.iter(f"{SVG}g")}
    assert {css: g.get("data-value") for css, g in found.items()} == badges
    icon = found["xmr-icon"]
    assert icon.find(f"{SVG}title").text == result.icon.label
    assert icon.find(f"{SVG}text").text.endswith("(high)")


def test_the_figure_holds_every_point_and_its_signal_in_a_visually_hidden_table():
    result = result_for([*STEADY, None, 28.5], baseline=15, direction=Direction.LOWER_IS_BETTER)
    figure = str(charts.xmr_chart(result, title="Falls", unit="falls"))
    root = ET.fromstring(figure)  # the figure is well-formed too
    table = root.find("table")
    assert "nhsuk-u-visually-hidden" in table.get("class")
    rows = [[cell.text for cell in row] for row in table.find("tbody")]
    assert len(rows) == 17
    assert rows[0] == ["January 2024", "23", "Common cause"]
    assert rows[15] == ["April 2025", "No return", "No return"]
    assert rows[16] == ["May 2025", "28.5",
                        "Special cause concerning variation (outside the process limits)"]


def test_the_chart_needs_no_script_stylesheet_or_outside_font_and_escapes_the_title():
    svg = str(charts.xmr_chart_svg(result_for(STEADY), title="<script>alert(1)</script>"))
    assert "<script" not in svg and "<style" not in svg and "@font-face" not in svg
    assert re.findall(r"https?://[^\"']+", svg) == ["http://www.w3.org/2000/svg"]
    assert "&lt;script&gt;" in svg


def test_the_same_result_gives_the_same_markup_and_an_empty_series_still_draws():
    assert charts.xmr_chart_svg(result_for(STEADY), title="Falls") == charts.xmr_chart_svg(
        result_for(STEADY), title="Falls")
    root = parse(charts.xmr_chart_svg(spc.xmr([]), title="Falls"))
    assert root.find(f"{SVG}desc").text == "No months to show."
    assert not root.findall(f".//{SVG}circle")
