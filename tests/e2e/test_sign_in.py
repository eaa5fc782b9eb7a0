"""Signing in wrongly: the NHS error summary, then the lock after too many failures."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from commissioning.choices import Role
from tests.conftest import PASSWORD
from tests.e2e.conftest import heading


def _submit(page, email: str, password: str):
    """Send the sign-in form and wait for the page it leads to; the response to the POST."""
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign in").click()
    return navigation.value


@pytest.mark.e2e
def test_wrong_password_shows_error_summary_that_leads_to_the_email_field_then_locks(page, area):
    email = area.users[Role.COMMISSIONER].email
    page.goto("/sign-in/")

    assert _submit(page, email, "not-the-password").status == 200
    expect(page).to_have_title(re.compile(r"^Sign in – Error"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()  # so screen readers announce it at once
    summary.get_by_role("link", name=re.compile("Enter a correct email address and password")
                        ).click()
    expect(page.get_by_label("Email address")).to_be_focused()
    expect(page.get_by_label("Password")).to_have_value("")  # never sent back to the page

    for attempt in range(2, settings.AXES_FAILURE_LIMIT + 1):
        response = _submit(page, email, f"wrong-{attempt}")
    assert response.status == 429
    assert heading(page) == "Your account is locked for now"
    expect(page.locator("main")).to_contain_text("too many wrong sign-in attempts")

    # While locked even the right password is refused.
    page.goto("/sign-in/")
    assert _submit(page, email, PASSWORD).status == 429
    assert heading(page) == "Your account is locked for now"
    page.goto("/care-homes/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next="))
