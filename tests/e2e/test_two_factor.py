"""Two-factor sign-in: a staff user enrols an authenticator, then needs its code every time."""

import base64
import re

import pytest
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from commissioning.choices import Role
from tests.e2e.conftest import heading, sign_in

PAGES_BEHIND_SIGN_IN = ["/", "/care-homes/", "/care-homes/imports/", "/admin/"]


def _code(key: bytes, device: TOTPDevice, time_step: int | None = None) -> str:
    """The code an authenticator app shows now, or in a given time step."""
    if time_step is None:
        time_step = TOTP(key, step=device.step, t0=device.t0, digits=device.digits).t()
    return f"{hotp(key, time_step, digits=device.digits):0{device.digits}d}"


def _key_on_page(page) -> bytes:
    """The key as the page shows it for typing into an app (base32, padding removed)."""
    text = page.locator("code").inner_text().strip()
    return base64.b32decode(text + "=" * (-len(text) % 8))


@pytest.fixture
def staff(area):
    user = area.users[Role.ADMINISTRATOR]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def _enrol(page, user) -> bytes:
    sign_in(page, user)
    page.get_by_role("navigation", name="Account").get_by_role("link", name=user.full_name).click()
    expect(page.locator("h1")).to_have_text("Set up two-factor authentication")
    expect(page.locator(".portal-qr svg")).to_be_visible()  # drawn by the portal, not fetched
    key = _key_on_page(page)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert key == device.bin_key
    page.get_by_label("Security code").fill(_code(key, device))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.locator("h1")).to_have_text("Two-factor authentication is on")
    expect(page.get_by_role("status")).to_contain_text("Two-factor authentication is on")
    return key


@pytest.mark.e2e
def test_staff_enrols_an_authenticator_and_must_give_a_code_after_the_password(page, staff):
    key = _enrol(page, staff)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in/$"))

    sign_in(page, staff)
    expect(page).to_have_url(re.compile(r"/sign-in/security-code/\?next=(/|%2F)$"))
    assert heading(page) == "Enter your security code"
    for path in PAGES_BEHIND_SIGN_IN:
        page.goto(path)
        expect(page).to_have_url(re.compile(r"/sign-in/security-code/"))
        assert heading(page) == "Enter your security code", path

    page.goto("/sign-in/security-code/?next=/care-homes/")
    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("The security code is not right")

    # A code is accepted once, so give the app's next one rather than the enrolment code
    # again (the server allows one time step either side of its clock).
    device = TOTPDevice.objects.get(user=staff, confirmed=True)
    device.throttle_reset()  # the wrong code above delays the next try by a second
    page.get_by_label("Security code").fill(_code(key, device, time_step=device.last_t + 1))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/care-homes/$"))
    assert heading(page) == "Care homes"


@pytest.mark.e2e
@pytest.mark.parametrize("path", [
    pytest.param("/account/two-factor/", id="two-factor-settings"),
    pytest.param("/api/v1/care-homes/?format=json", id="api-by-session"),
])
def test_password_alone_reaches_nothing_before_the_security_code(page, area, staff, path):
    _enrol(page, staff)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, staff)
    page.goto(path)
    assert area.home.cqc_location_id not in page.content()
    assert page.locator("h1").count() == 1 and heading(page) == "Enter your security code"
