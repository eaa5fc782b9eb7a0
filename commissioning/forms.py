"""Sign-in and two-factor forms."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Sign in by email address and password."""

    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password. "
                         "Both may be case-sensitive.",
        "inactive": "This account is not active. Ask your administrator to reactivate it.",
    }


class OtpTokenForm(forms.Form):
    token = forms.CharField(
        label="Security code", min_length=6, max_length=6,
        help_text="The 6-digit code from your authenticator app.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("Enter the security code using only the digits 0 to 9.")
        return token
