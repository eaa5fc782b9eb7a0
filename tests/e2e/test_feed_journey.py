"""A partner sends an ambulance file; a commissioner matches its unknown home and sees the rating."""

import re

import pytest
from playwright.sync_api import expect

from commissioning.choices import Role
from jig.models import AmbulanceIncident
from tests.carehomes.factories import CareHomeFactory
from tests.commissioning.factories import AmbulanceTrustFactory, LocalAuthorityFactory, MembershipFactory
from tests.e2e.conftest import sign_in
from tests.jig.feed_files import ambulance_csv, ambulance_row


def _summary(page) -> dict[str, str]:
    rows = page.locator(".nhsuk-summary-list__row")
    return {rows.nth(i).locator("dt").inner_text(): rows.nth(i).locator("dd").inner_text()
            for i in range(rows.count())}


def _send(page, path) -> None:
    page.goto("/jig/feeds/upload/")
    page.get_by_label("Upload the file").set_input_files(path)
    page.get_by_role("button", name="Send the file").click()
    expect(page).to_have_url(re.compile(r"/jig/feeds/\d+/$"))
    expect(page.locator("#import-status .nhsuk-tag")).to_have_text(re.compile("Succeeded|Rejected|Failed"))


@pytest.mark.e2e
def test_a_partner_sends_a_file_and_a_commissioner_matches_its_unknown_home(page, db, tmp_path):
    council = LocalAuthorityFactory(name="Kingsmere Council")
    home = CareHomeFactory(name="Rosewood House", postcode="KM1 2AB", local_authority=council, beds=30)
    trust = AmbulanceTrustFactory(name="Riverside Ambulance Service NHS Trust")
    sender = MembershipFactory(role=Role.PARTNER_SYSTEM, organisation=trust).user
    commissioner = MembershipFactory(role=Role.COMMISSIONER, organisation=council).user
    good = tmp_path / "incidents.csv"
    good.write_bytes(ambulance_csv([
        ambulance_row("A-1", home),
        ambulance_row("A-2", cqc="", postcode="KM1 2AB", name="Rose Wood Hse", outcome="See and treat"),
    ]))
    bad = tmp_path / "incidents-bad.csv"
    bad.write_bytes(ambulance_csv([ambulance_row("A-3", home, category="C9")]))

    sign_in(page, sender)
    _send(page, good)
    expect(page.locator("#import-status .nhsuk-tag")).to_have_text("Succeeded")
    counts = _summary(page)
    assert counts["New records"] == "2"
    assert counts["Waiting to be matched to a home"].startswith("1")

    _send(page, bad)
    expect(page.locator("#import-status .nhsuk-tag")).to_have_text("Rejected")
    expect(page.locator("#feed-problems")).to_contain_text("Response category")
    expect(page.locator("#feed-problems")).to_contain_text("C9")
    assert AmbulanceIncident.objects.count() == 2

    page.context.clear_cookies()  # sign out
    sign_in(page, commissioner)
    page.goto("/jig/feeds/matching/")
    expect(page.locator("h1")).to_have_text("Matching queue")
    page.get_by_role("link", name=re.compile("Match")).first.click()
    page.get_by_label("Rosewood House").check()
    page.get_by_role("button", name="Save and match the records").click()
    expect(page.locator("body")).to_contain_text("Rosewood House")
    assert AmbulanceIncident.objects.filter(care_home=home).count() == 2

    page.goto(f"/jig/risk/homes/{home.pk}/")
    expect(page.locator("h1")).to_contain_text("Rosewood House")
