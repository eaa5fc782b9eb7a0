"""Two-factor enforcement for signed-in people."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

EXEMPT_PREFIXES = ("/static/", "/health/", "/api/")


class TwoFactorEnforcementMiddleware:
    """Someone with an authenticator must enter a code after their password.

    With ``PORTAL_REQUIRE_2FA_FOR_STAFF`` staff without one are sent to enrol first.
    API calls authenticate with tokens and are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        path = request.path
        if user.is_authenticated and not path.startswith(EXEMPT_PREFIXES):
            exempt = {reverse("two-factor-verify"), reverse("sign-out"), reverse("two-factor")}
            if path not in exempt:
                if user_has_device(user) and not user.is_verified():
                    return redirect(f"{reverse('two-factor-verify')}?next={path}")
                if (settings.PORTAL_REQUIRE_2FA_FOR_STAFF and user.is_staff
                        and not user_has_device(user)):
                    return redirect("two-factor")
        return self.get_response(request)
