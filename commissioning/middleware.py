"""Two-factor enforcement for signed-in people."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device

EXEMPT_PREFIXES = ("/static/", "/health/")


class TwoFactorEnforcementMiddleware:
    """Someone with an authenticator must enter a code after their password.

    Until they do, every page (the API by session included, and the two-factor settings
    page, so a stolen password cannot turn two-factor off) sends them to the code page.
    With ``PORTAL_REQUIRE_2FA_FOR_STAFF`` staff without one are sent to enrol first.
    API clients using tokens are anonymous here and are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        path = request.path
        if (user.is_authenticated and not path.startswith(EXEMPT_PREFIXES)
                and path not in {reverse("two-factor-verify"), reverse("sign-out")}):
            has_device = user_has_device(user)
            if has_device and not user.is_verified():
                return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': path})}")
            if (settings.PORTAL_REQUIRE_2FA_FOR_STAFF and user.is_staff and not has_device
                    and path != reverse("two-factor")):
                return redirect("two-factor")
        return self.get_response(request)
