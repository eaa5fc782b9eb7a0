"""Signing in and out, and enrolling an authenticator app."""

import django_otp
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import OtpTokenForm, SignInForm
from .services import totp_device_confirm, totp_device_start, totp_qr_svg


class SignInView(auth_views.LoginView):
    template_name = "commissioning/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


def _safe_next(request, default="home"):
    target = request.GET.get("next") or request.POST.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """Second step of signing in for people with an authenticator."""
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = next((d for d in devices_for_user(request.user)
                       if d.verify_token(form.cleaned_data["token"])), None)
        if device:
            django_otp.login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", "The security code is not right or has expired. "
                                "Enter the code your app shows now.")
    return render(request, "commissioning/two_factor_verify.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """Enrol (or remove) an authenticator app for two-factor sign-in."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed:
        return _two_factor_remove(request, confirmed)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None or request.method == "GET":
        device = totp_device_start(user=user)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_device_confirm(device=device, token=form.cleaned_data["token"]):
            django_otp.login(request, device)
            messages.success(request, "Two-factor authentication is on. You will be asked for "
                                      "a security code each time you sign in.")
            return redirect("two-factor")
        form.add_error("token", "The security code is not right. Check the time on your "
                                "phone is correct and enter the code your app shows now.")
    return render(request, "commissioning/two_factor.html", {
        "form": form, "qr_svg": totp_qr_svg(device),
        "secret": _base32(device.bin_key),
    })


def _two_factor_remove(request, confirmed: TOTPDevice):
    """Turning two-factor off needs a current code, not just a signed-in session."""
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if confirmed.verify_token(form.cleaned_data["token"]):
            confirmed.delete()
            messages.success(request, "Two-factor authentication is turned off.")
            return redirect("two-factor")
        form.add_error("token", "The security code is not right or has expired. "
                                "Enter the code your app shows now.")
    return render(request, "commissioning/two_factor.html", {"confirmed": confirmed, "form": form})


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")
