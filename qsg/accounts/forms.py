"""Sign-in forms. Codes may be pasted (WCAG 2.2 accessible authentication): spaces, hyphens
and line ends are ignored, and nothing blocks paste or password managers."""

from __future__ import annotations

from django import forms
from django.conf import settings

from qsg.vocabulary import say_lazy

from .models import ApiToken


class SecurityCodeForm(forms.Form):
    code = forms.CharField(
        max_length=40,
        label="Security code",
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes",
        error_messages={"required": "Enter the security code from your authenticator app"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": False, "autocapitalize": "off"}
        ),
    )


class SetUpCodeForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Security code",
        help_text=say_lazy("The 6-digit code your authenticator app shows for the QSG workspace"),
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": False}
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).replace("-", "")
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the 6-digit code from your authenticator app")
        return code


def _day_choices():
    days = sorted({30, settings.QSG_API_TOKEN_DAYS, 180, settings.QSG_API_TOKEN_MAX_DAYS})
    return [(str(d), f"{d} days") for d in days if d <= settings.QSG_API_TOKEN_MAX_DAYS]


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Name",
        help_text="So that you can tell your tokens apart, for example 'Monthly returns script'",
        error_messages={"required": "Enter a name for the token"},
    )
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices,
        widget=forms.RadioSelect,
        label="What the token may do",
        initial=ApiToken.Scope.READ,
        error_messages={"required": "Choose what the token may do"},
    )
    days = forms.TypedChoiceField(
        choices=_day_choices,
        coerce=int,
        widget=forms.RadioSelect,
        label="Expires after",
        error_messages={"required": "Choose when the token expires"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = str(settings.QSG_API_TOKEN_DAYS)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter a name for the token")
        return name
