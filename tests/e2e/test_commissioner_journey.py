"""A commissioner's day: sign in by keyboard, read the area summary, find a home, open it."""

import datetime as dt
import re
from functools import partial

import pytest
from playwright.sync_api import expect

from carehomes.choices import CqcRatingValue, KeyQuestion, RegistrationType
from carehomes.services import carehome_update
from commissioning.choices import Role
from tests.carehomes.factories import CareHomeFactory, CqcRatingFactory, GpPracticeFactory
from tests.conftest import PASSWORD
from tests.e2e.conftest import focused, tab_to

PAGE_SIZE = 50
GOOD_NURSING = PAGE_SIZE + 6  # two pages of homes that match "Good" and "Nursing"


@pytest.fixture
def registry(area):
    """The commissioner's council: 56 good nursing homes, two that the filters leave out,
    and Willow Court (last by name) with a ratings history and a change made in the portal."""
    make = partial(CareHomeFactory, provider=area.provider, local_authority=area.council,
                   nhs_commissioner=area.commissioner)
    nursing, good = RegistrationType.NURSING, CqcRatingValue.GOOD
    for n in range(GOOD_NURSING - 1):
        make(name=f"Nursing Home {n:02d}", registration_type=nursing, cqc_overall_rating=good,
             beds=20 + n)
    make(name="Residential Good", registration_type=RegistrationType.RESIDENTIAL,
         cqc_overall_rating=good)
    make(name="Nursing Inadequate", registration_type=nursing,
         cqc_overall_rating=CqcRatingValue.INADEQUATE)
    target = make(name="Willow Court", registration_type=nursing, cqc_overall_rating=good,
                  beds=18)
    CqcRatingFactory(care_home=target, rating=CqcRatingValue.REQUIRES_IMPROVEMENT,
                     published_on=dt.date(2023, 3, 14))
    CqcRatingFactory(care_home=target, rating=good, published_on=dt.date(2025, 6, 1))
    CqcRatingFactory(care_home=target, key_question=KeyQuestion.SAFE, rating=good,
                     published_on=dt.date(2025, 6, 1))
    carehome_update(care_home=target, user=area.users[Role.COMMISSIONER],
                    gp_practice=GpPracticeFactory(name="Beech Tree Surgery", ods_code="Y01234"))
    return target


def _rows(page):
    return page.locator("#care-homes tbody tr")


@pytest.mark.e2e
def test_commissioner_signs_in_by_keyboard_and_finds_a_home_by_rating_and_type(
        page, live_server, area, registry):
    user = area.users[Role.COMMISSIONER]
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/$"))

    # Keyboard only: Tab to each field, type, Enter submits.
    tab_to(page, "id_username")
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/")

    # Home: the area summary and the ratings chart, an <svg> named by its <title>.
    expect(page.locator("h1")).to_have_text(user.full_name)
    expect(page.get_by_role("heading", name="60 care homes")).to_be_visible()
    chart = page.locator("svg.portal-chart")
    expect(chart.locator("title")).to_have_text("Care homes by CQC overall rating")
    assert chart.get_attribute("aria-labelledby") == chart.locator("title").get_attribute("id")
    caption = page.locator("figure figcaption")
    expect(caption).to_contain_text("Good: 57.")
    expect(caption).to_contain_text("Inadequate: 1.")
    expect(caption).to_contain_text("Not yet rated: 2.")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Care homes").click()
    expect(page.locator("h1")).to_have_text("Care homes")
    expect(page.get_by_role("status")).to_contain_text("60 care homes, page 1 of 2")

    # Filter by CQC rating and type.
    page.get_by_label("CQC rating").select_option(label="Good")
    page.get_by_label("Type", exact=True).select_option(label="Nursing")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status")).to_contain_text(f"{GOOD_NURSING} care homes, page 1 of 2")
    expect(_rows(page)).to_have_count(PAGE_SIZE)
    expect(page.get_by_label("CQC rating")).to_have_value("good")  # the form keeps the choice
    for cell in _rows(page).locator("td:nth-child(6)").all_inner_texts():
        assert cell.strip() == "Good"

    # Page on: the filters stay applied.
    page.get_by_role("link", name=re.compile(r"Next\s+page")).click()
    expect(page.get_by_role("status")).to_contain_text(f"{GOOD_NURSING} care homes, page 2 of 2")
    expect(_rows(page)).to_have_count(GOOD_NURSING - PAGE_SIZE)
    assert set(_rows(page).locator("td:nth-child(4)").all_inner_texts()) == {"Nursing"}
    assert "Nursing Inadequate" not in page.locator("#care-homes").inner_text()

    # Open the home: its ratings history and its change history.
    page.get_by_role("link", name="Willow Court").click()
    expect(page.locator("h1")).to_have_text("Willow Court")
    ratings = page.locator("#cqc-ratings tbody tr")
    expect(ratings).to_have_count(3)
    expect(ratings.first).to_contain_text("1 June 2025")
    expect(ratings.last).to_contain_text("14 March 2023")
    expect(ratings.last).to_contain_text("Requires improvement")
    history = page.locator(".portal-history")
    expect(history).to_contain_text("Aligned GP practice: — → Beech Tree Surgery")
    expect(history).to_contain_text("Added to the registry")


@pytest.mark.e2e
def test_commissioner_sorts_filtered_homes_by_beds_across_pages(page, area, registry):
    from tests.e2e.conftest import sign_in

    sign_in(page, area.users[Role.COMMISSIONER])
    page.goto("/care-homes/?rating=good&registration_type=nursing")
    page.get_by_label("Sort by").select_option(label="Beds (descending)")
    page.get_by_role("button", name="Apply filters").click()
    # The filtered page showed "page 1 of 2" already: wait for the sorted page itself.
    expect(page).to_have_url(re.compile(r"sort=-beds"))
    expect(page.get_by_label("Sort by")).to_have_value("-beds")
    expect(page.get_by_role("status")).to_contain_text("page 1 of 2")
    first_page = [int(b) for b in _rows(page).locator("td:nth-child(5)").all_inner_texts()]
    assert first_page == sorted(first_page, reverse=True) and first_page[0] == 20 + GOOD_NURSING - 2
    page.get_by_role("link", name=re.compile(r"Next\s+page")).click()
    expect(page.get_by_role("status")).to_contain_text("page 2 of 2")
    second_page = [int(b) for b in _rows(page).locator("td:nth-child(5)").all_inner_texts()]
    assert second_page == sorted(second_page, reverse=True)
    assert second_page[0] <= first_page[-1] and second_page[-1] == 18  # Willow Court
