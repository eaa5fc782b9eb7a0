"""Signing in by email, throttling of failed sign-ins, two-factor and the landing pages."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from commissioning.choices import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, email, password=PASSWORD):
    return client.post(reverse("sign-in"), {"username": email, "password": password})


def test_people_sign_in_with_their_email_in_any_case(area, client):
    user = area.users[Role.COMMISSIONER]
    response = sign_in(client, user.email.upper())
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_a_wrong_password_shows_the_error_summary(area, client):
    response = sign_in(client, area.users[Role.COMMISSIONER].email, "wrong")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "Enter a correct email address and password" in page


def test_failed_sign_ins_are_throttled(area, client, settings):
    email = area.users[Role.COMMISSIONER].email
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, email, "wrong")
    response = sign_in(client, email)  # even the right password is refused while locked
    assert response.status_code == 429
    assert "Your account is locked for now" in response.content.decode()


def test_sign_out_is_a_post_and_ends_the_session(area, client_for):
    client = client_for(area.users[Role.COMMISSIONER])
    assert client.post(reverse("sign-out")).status_code == 302
    assert client.get(reverse("carehomes:list")).status_code == 302


def _enrol(client, user) -> TOTPDevice:
    client.get(reverse("two-factor"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two-factor"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_staff_can_enrol_two_factor_and_must_then_give_a_code(area, client):
    admin = area.users[Role.ADMINISTRATOR]
    sign_in(client, admin.email)
    enrol_page = client.get(reverse("two-factor")).content.decode()
    assert "<svg" in enrol_page  # the QR code, drawn here, not fetched
    device = _enrol(client, admin)
    client.post(reverse("sign-out"))

    sign_in(client, admin.email)
    response = client.get(reverse("carehomes:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor-verify"))
    wrong = client.post(reverse("two-factor-verify"), {"token": "000000"})
    assert "not right" in wrong.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # wrong codes slow down guessing
    device.last_t = -1  # allow the current code again for this test
    device.throttle_reset()
    right = client.post(f"{reverse('two-factor-verify')}?next=/care-homes/",
                        {"token": f"{totp(device.bin_key):06d}"})
    assert right.status_code == 302 and right["Location"] == "/care-homes/"
    assert client.get(reverse("carehomes:list")).status_code == 200


def test_a_wrong_enrolment_code_is_refused(area, client_for):
    client = client_for(area.users[Role.ADMINISTRATOR])
    client.get(reverse("two-factor"))
    response = client.post(reverse("two-factor"), {"token": "12345x"})
    assert "only the digits" in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_staff_must_enrol_when_the_deployment_requires_it(area, client_for, settings):
    settings.PORTAL_REQUIRE_2FA_FOR_STAFF = True
    admin = area.users[Role.ADMINISTRATOR]
    admin.is_staff = True
    admin.save()
    response = client_for(admin).get(reverse("carehomes:list"))
    assert response.status_code == 302 and response["Location"] == reverse("two-factor")


@pytest.mark.parametrize(("who", "expected"), [
    (Role.COMMISSIONER, "CQC overall ratings"),
    (Role.CARE_HOME_MANAGER, "Your care homes"),
    (Role.PARTNER_SYSTEM, "API access"),
    ("no_role", "You have no role yet"),
])
def test_each_role_lands_on_its_own_home_page(area, client_for, who, expected):
    page = client_for(area.users[who]).get(reverse("home")).content.decode()
    assert expected in page


def test_the_managers_home_page_lists_only_their_homes(area, client_for):
    page = client_for(area.users[Role.CARE_HOME_MANAGER]).get(reverse("home")).content.decode()
    assert area.home.name in page and area.other_home.name not in page


def test_the_health_check_answers(client):
    assert client.get(reverse("health")).json() == {"status": "ok"}


def test_a_password_alone_cannot_turn_two_factor_off_or_read_the_api(area, client):
    admin = area.users[Role.ADMINISTRATOR]
    sign_in(client, admin.email)
    _enrol(client, admin)
    client.post(reverse("sign-out"))
    sign_in(client, admin.email)  # password only: no security code yet
    for path in [reverse("two-factor"), "/api/v1/care-homes/", "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("two-factor-verify")), path
    client.post(reverse("two-factor"), {"token": "123456"})
    assert TOTPDevice.objects.filter(user=admin, confirmed=True).exists()


def test_turning_two_factor_off_needs_a_current_code(area, client):
    admin = area.users[Role.ADMINISTRATOR]
    sign_in(client, admin.email)
    device = _enrol(client, admin)
    wrong = client.post(reverse("two-factor"), {"token": "000000"})
    assert "not right" in wrong.content.decode()
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    device.refresh_from_db()
    device.last_t = -1
    device.throttle_reset()
    client.post(reverse("two-factor"), {"token": f"{totp(device.bin_key):06d}"})
    assert not TOTPDevice.objects.filter(user=admin).exists()
