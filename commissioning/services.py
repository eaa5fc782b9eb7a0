"""Writes to the core: memberships and two-factor devices."""

import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from .choices import OrganisationKind, Role
from .models import Membership, Organisation


@transaction.atomic
def membership_create(*, user, organisation: Organisation, role: str, created_by=None,
                      care_homes=(), all_provider_homes: bool = False) -> Membership:
    """Give a person a role in an organisation, checking the role fits the organisation."""
    if role == Role.CARE_HOME_MANAGER and organisation.kind != OrganisationKind.CARE_PROVIDER:
        raise ValidationError({"role": "A care home manager's membership must be in a provider."})
    homes = list(care_homes)
    if any(home.provider_id != organisation.pk for home in homes):
        raise ValidationError({"care_homes": "A manager can only be given their provider's homes."})
    membership = Membership(user=user, organisation=organisation, role=role,
                            all_provider_homes=all_provider_homes,
                            created_by=created_by, modified_by=created_by)
    membership.full_clean()
    membership.save()
    if homes:
        membership.care_homes.set(homes)
    return membership


def totp_device_start(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user (replacing any unconfirmed one)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm enrolment once the user proves the app gives the right codes."""
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return True


def totp_qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG (no external service, no image files)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage,
                        box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()
