"""A care home manager completes the monthly return with the keyboard alone, and only for their homes."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commissioning.choices import Role
from quality.choices import ReturnStatus
from quality.models import MonthlyReturn
from quality.services import indicator_set_current
from tests.e2e.conftest import focused, heading, sign_in, tab_to
from tests.quality.factories import good_values

BAD_OCCUPIED = "45"  # more than the 40 registered beds
NOTE = "The GP round moved to Thursdays."
OCCUPIED_MESSAGE = "Occupied beds must be no more than registered beds (40)"


def last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@pytest.mark.e2e
def test_manager_completes_and_submits_a_return_with_the_keyboard_only(page, area):
    month = last_month()
    month_name = f"{month:%B %Y}"
    sign_in(page, area.users[Role.CARE_HOME_MANAGER])

    # From the menu to this home's return for last month, by Tab and Enter.
    for _ in range(20):
        page.keyboard.press("Tab")
        if focused(page)["text"] == "Monthly returns":
            break
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Monthly returns")
    start = f"return-{area.home.cqc_location_id}-{month:%Y-%m}"
    expect(page.locator(f"#{start}")).to_contain_text("Start")
    tab_to(page, start, presses=60)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(f"Monthly return for {month_name}")

    # Every answer typed into its field in turn, one of them wrong.
    keys = list(indicator_set_current().indicators.values_list("key", flat=True))
    answers = {k: str(v) for k, v in good_values().items()}
    answers["beds_occupied"] = BAD_OCCUPIED
    answers["issues_for_commissioners"] = NOTE
    for n, key in enumerate(keys):
        tab_to(page, key, presses=40 if n == 0 else 1)
        if answers.get(key):
            page.keyboard.type(answers[key])
    tab_to(page, "submit-return", presses=1)
    page.keyboard.press("Space")

    # The error summary takes focus and links to the field.
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text([OCCUPIED_MESSAGE])
    expect(page).to_have_title(re.compile("Error"))
    expect(page.locator("#beds_occupied-error")).to_contain_text(OCCUPIED_MESSAGE)
    expect(page.locator("#beds_occupied")).to_have_value(BAD_OCCUPIED)  # what was typed stays
    expect(page.locator("#falls")).to_have_value(answers["falls"])
    assert not MonthlyReturn.objects.filter(care_home=area.home).exists()

    page.keyboard.press("Tab")
    assert focused(page)["text"] == OCCUPIED_MESSAGE
    page.keyboard.press("Enter")
    expect(page.locator("#beds_occupied")).to_be_focused()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("36")
    tab_to(page, "submit-return", presses=60)
    page.keyboard.press("Enter")

    # Submitted: the return, read-only, with its first version.
    expect(page.locator("h1")).to_have_text(f"Return for {month_name}")
    expect(page.get_by_role("status")).to_contain_text("has been submitted")
    expect(page.locator("#return-summary")).to_contain_text("Submitted")
    expect(page.locator("#return-versions tbody tr")).to_have_count(1)
    expect(page.locator("#return-values")).to_contain_text(NOTE)
    submitted = MonthlyReturn.objects.get(care_home=area.home, month=month)
    assert submitted.status == ReturnStatus.SUBMITTED
    assert submitted.values["beds_occupied"] == 36
    assert submitted.values["issues_for_commissioners"] == NOTE
    expect(page.get_by_role("link", name="Amend this return")).to_be_visible()

    # Another provider's home: "Page not found", as if it did not exist.
    response = page.goto(f"/returns/{area.other_home.cqc_location_id}/{month:%Y-%m}/")
    assert response.status == 404
    assert heading(page) == "Page not found"
    assert area.other_home.name not in page.content()
    assert not MonthlyReturn.objects.filter(care_home=area.other_home).exists()
