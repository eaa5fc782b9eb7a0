"""The SVG charts: accessible, self-contained (fit for a PDF) and true to the numbers."""

import datetime as dt
import re

from quality import charts
from quality.reports import months_ending

MONTHS = months_ending(dt.date(2026, 10, 1), 24)


def series(values):
    return list(zip(MONTHS[-len(values):], values, strict=True))


def test_line_chart_has_a_title_a_description_and_month_labels():
    svg = charts.line_chart_svg(series([3, 4, 5]), title="Falls", unit="falls")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert 'role="img"' in svg
    chart_id = re.search(r'<title id="([^"]+)-title">Falls</title>', svg).group(1)
    assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in svg
    assert "From August 2026 to October 2026. Latest: 5 falls in October 2026." in svg
    assert ">Aug 26<" in svg and ">Oct 26<" in svg


def test_line_chart_needs_no_script_stylesheet_or_outside_font():
    svg = str(charts.line_chart_svg(series([1, 2]), title="Falls"))
    assert "<script" not in svg and "<style" not in svg and "@font-face" not in svg
    assert re.findall(r"https?://[^\"']+", svg) == ["http://www.w3.org/2000/svg"]
    assert 'font-family="Arial, Helvetica, sans-serif"' in svg


def test_a_month_without_a_value_breaks_the_line():
    svg = charts.line_chart_svg(series([1, 2, None, 4, 5]), title="Falls")
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 4


def test_the_figure_holds_the_numbers_in_a_visually_hidden_table():
    figure = charts.line_chart(series([2.5, None]), title="Falls per 10 occupied beds",
                               unit="falls per 10 beds")
    table = re.search(r"<table class=\"nhsuk-table nhsuk-u-visually-hidden\">.*</table>",
                      figure).group(0)
    assert "<caption>Falls per 10 occupied beds</caption>" in table
    assert ">September 2026</th><td class=\"nhsuk-table__cell\">2.5</td>" in table
    assert ">October 2026</th><td class=\"nhsuk-table__cell\">No return</td>" in table


def test_titles_are_escaped():
    figure = charts.line_chart(series([1]), title="<script>alert(1)</script>")
    assert "<script>" not in figure and "&lt;script&gt;" in figure


def test_the_same_numbers_give_the_same_markup():
    assert charts.line_chart(series([1, 2]), title="Falls") == charts.line_chart(
        series([1, 2]), title="Falls")


def test_the_axis_rises_in_round_steps_to_above_the_highest_value():
    assert charts.nice_ticks(17) == [0, 5, 10, 15, 20]
    assert charts.nice_ticks(0.8) == [0, 0.2, 0.4, 0.6, 0.8]
    assert charts.nice_ticks(0) == [0, 1]
    svg = charts.line_chart_svg(series([17]), title="Falls")
    assert ">20</text>" in svg and ">25</text>" not in svg


def test_a_chart_with_no_returns_says_so():
    svg = charts.line_chart_svg(series([None, None]), title="Falls")
    assert "No returns in these months" in svg and "<polyline" not in svg


def test_bar_chart_draws_a_bar_per_status_and_a_zero_still_shows():
    figure = charts.bar_chart([("Submitted", 30, "#007f3b"), ("Late", 0, "#d5281b")],
                              title="Returns for October 2026")
    widths = [int(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="(\d+)"', figure)]
    assert widths[0] > 300 and widths[1] == 1
    assert "Submitted: 30. Late: 0." in figure
    assert ">Late</th><td class=\"nhsuk-table__cell\">0</td>" in figure
