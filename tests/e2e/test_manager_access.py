"""A care home manager sees, opens and downloads only their own provider's homes."""

import csv
import re

import pytest
from playwright.sync_api import expect

from commissioning.choices import Role
from tests.e2e.conftest import heading, sign_in


@pytest.mark.e2e
def test_manager_sees_and_downloads_only_their_providers_homes(page, area):
    sign_in(page, area.users[Role.CARE_HOME_MANAGER])
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Care homes").click()
    expect(page.get_by_role("status")).to_contain_text("2 care homes")
    names = page.locator("#care-homes tbody tr td:first-child a").all_inner_texts()
    assert sorted(names) == sorted([area.home.name, area.second_home.name])
    list_url = page.url

    # Typing the address of another provider's home: "Page not found", as if it did not exist.
    response = page.goto(f"/care-homes/{area.other_home.cqc_location_id}/")
    assert response.status == 404
    assert heading(page) == "Page not found"
    expect(page).to_have_title(re.compile(r"^Page not found"))
    assert area.other_home.name not in page.content()
    assert area.other_provider.name not in page.content()

    page.goto(list_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these as CSV").click()
    download = download_info.value
    assert download.suggested_filename == "care-homes.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert sorted(r["CQC location ID"] for r in rows) == sorted(
        [area.home.cqc_location_id, area.second_home.cqc_location_id])
    assert {r["Provider"] for r in rows} == {area.provider.name}
