from django.urls import path

from . import account_views

urlpatterns = [
    path("sign-in/", account_views.SignInView.as_view(), name="sign-in"),
    path("sign-in/security-code/", account_views.two_factor_verify, name="two-factor-verify"),
    path("sign-out/", account_views.SignOutView.as_view(), name="sign-out"),
    path("account/two-factor/", account_views.two_factor, name="two-factor"),
]
