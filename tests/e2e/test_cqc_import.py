"""A commissioner uploads the CQC directory: a good file imports, a bad one changes nothing."""

import re

import pytest
from playwright.sync_api import expect

from carehomes.directory import Area, build_directory
from carehomes.models import CareHome
from commissioning.choices import Role
from tests.commissioning.factories import LocalAuthorityFactory, MembershipFactory
from tests.e2e.conftest import sign_in

SERVED = Area("Kingsmere", "E38000901", "NHS Kingsmere", "KM", 51.36, -0.19, 8, "Kingsmere")
ELSEWHERE = Area("Northfold", "E38000903", "NHS Northfold", "NF", 51.45, -0.10, 3, "Northfold")
BAD_ROW = 2  # the third data row, which is row 4 of the file (the header is row 1)


@pytest.fixture
def commissioner(db):
    """A commissioner in a served council whose CQC name is the directory's ``Kingsmere``."""
    council = LocalAuthorityFactory(name="Kingsmere Council", cqc_area_name=SERVED.council)
    return MembershipFactory(role=Role.COMMISSIONER, organisation=council).user


def _summary(page) -> dict[str, str]:
    rows = page.locator(".nhsuk-summary-list__row")
    return {rows.nth(i).locator("dt").inner_text(): rows.nth(i).locator("dd").inner_text()
            for i in range(rows.count())}


def _upload(page, path) -> None:
    page.goto("/care-homes/imports/")
    page.get_by_label("Upload the CQC care directory").set_input_files(path)
    page.get_by_role("button", name="Upload and import").click()
    expect(page).to_have_url(re.compile(r"/care-homes/imports/\d+/$"))
    # Tasks run in-process in tests, but the page also copes with a queued import by
    # polling and reloading itself: wait until it shows a finished status either way.
    expect(page.locator("#import-status .nhsuk-tag")).to_have_text(
        re.compile("Succeeded|Rejected|Failed"))


def _homes():
    return list(CareHome.objects.order_by("cqc_location_id").values_list(
        "cqc_location_id", "name", "beds", "status"))


@pytest.mark.e2e
def test_commissioner_imports_the_cqc_directory_and_a_bad_file_is_rejected_whole(
        page, commissioner, tmp_path):
    directory = build_directory([SERVED, ELSEWHERE], seed=11, other_rows=2)
    good = tmp_path / "cqc-directory.csv"
    good.write_bytes(directory.csv_bytes())
    sign_in(page, commissioner)

    _upload(page, good)
    expect(page.locator("h1")).to_have_text("cqc-directory.csv")
    expect(page.locator("#import-status .nhsuk-tag")).to_have_text("Succeeded")
    counts = _summary(page)
    assert counts["Rows in the file"].startswith("13 (5 for other areas or not care homes)")
    assert counts["Homes created"] == "8"
    assert counts["Homes updated"] == "0"
    assert counts["Rows rejected"] == "0"
    before = _homes()
    assert len(before) == 8

    # A file with one bad row, and a rename on a good row that must not be applied.
    bad_row = directory.rows[BAD_ROW]
    bad_row["Location ID"], bad_row["Care homes beds"] = "X-123", "lots"
    directory.rows[0]["Location Name"] = "Renamed House"
    bad = tmp_path / "cqc-directory-bad.csv"
    bad.write_bytes(directory.csv_bytes())

    _upload(page, bad)
    expect(page.locator("#import-status .nhsuk-tag")).to_have_text("Rejected")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("The file was not imported")
    expect(summary).to_contain_text("Nothing was changed")
    expect(summary).to_be_focused()  # announced and scrolled to on arrival
    problems = page.locator("#import-errors tbody tr")
    expect(problems).to_have_count(2)
    cells = [[c.strip() for c in problems.nth(i).locator("td").all_inner_texts()]
             for i in range(2)]
    by_column = {row[1]: row for row in cells}
    assert by_column["Location ID"][0] == "4"
    assert by_column["Location ID"][2] == "X-123"
    assert "is not a CQC location ID" in by_column["Location ID"][3]
    assert by_column["Care homes beds"][0] == "4"
    assert by_column["Care homes beds"][2] == "lots"
    assert "is not a whole number" in by_column["Care homes beds"][3]
    assert _summary(page)["Rows rejected"] == "1"
    assert _homes() == before  # nothing applied, not even the good row's rename

    page.get_by_role("link", name="Back to imports").click()
    imports = page.locator("#imports tbody tr")
    expect(imports).to_have_count(2)
    expect(imports.first).to_contain_text("cqc-directory-bad.csv")
    expect(imports.first).to_contain_text("Rejected")
    expect(imports.last).to_contain_text("Succeeded")
