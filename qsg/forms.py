"""Forms of the network pages. They validate input; services do the writing."""

import re

from django import forms
from django.contrib.auth import forms as auth_forms

from qsg.vocabulary import say_lazy

from .forms_nhs import NHSDateField
from .models import QSG, Membership, Organisation, OrganisationType, Provider, QSGRole


class TokenForm(forms.Form):
    """Carries a one-use token so that a double submit creates one record."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)


class ProviderCodesField(forms.CharField):
    """ODS codes, separated by commas, spaces or new lines, resolved within a set of providers."""

    def __init__(self, *, providers=None, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "ODS codes separated by commas, for example RW3, RBV")
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"spellcheck": False, "autocomplete": "off"})
        )
        super().__init__(**kwargs)
        self.providers = providers if providers is not None else Provider.objects.none()

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(getattr(p, "ods_code", str(p)) for p in value)
        return value

    def clean(self, value):
        text = super().clean(value) or ""
        codes = [c.upper() for c in re.split(r"[\s,;]+", text) if c]
        if not codes:
            return []
        found = {p.ods_code: p for p in self.providers.filter(ods_code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(
                f"No provider in this footprint has the ODS code {', '.join(unknown)}"
            )
        return [found[c] for c in dict.fromkeys(codes)]


class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200, label="Organisation name")
    type = forms.ModelChoiceField(
        queryset=OrganisationType.objects.all(),
        label="Type of organisation",
        empty_label="Choose a type",
    )
    ods_code = forms.CharField(
        max_length=10,
        required=False,
        label="ODS code",
        help_text="For example, 14L or RW3",
        widget=forms.TextInput(attrs={"spellcheck": False, "autocomplete": "off"}),
    )
    email = forms.EmailField(
        required=False, label="Shared email address", help_text=say_lazy("For QSG correspondence")
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter the organisation name")
        return name

    def clean_ods_code(self):
        code = self.cleaned_data["ods_code"].strip().upper()
        if code and not (3 <= len(code) <= 10 and code.isalnum()):
            raise forms.ValidationError(
                "Enter an ODS code of 3 to 10 letters and numbers, like RW3 or 14L"
            )
        return code


class MembershipAddForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Organisation",
        empty_label="Choose an organisation",
    )
    kind = forms.ChoiceField(
        choices=Membership.Kind.choices,
        widget=forms.RadioSelect,
        label="Type of membership",
        initial=Membership.Kind.CORE,
    )
    joined_on = NHSDateField(
        required=False, label="Member since", help_text="For example, 1 4 2013"
    )
    notes = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class MembershipEditForm(forms.Form):
    kind = forms.ChoiceField(
        choices=Membership.Kind.choices, widget=forms.RadioSelect, label="Type of membership"
    )
    joined_on = NHSDateField(
        required=False, label="Member since", help_text="For example, 1 4 2013"
    )
    notes = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RoleAssignForm(forms.Form):
    user = forms.ModelChoiceField(queryset=None, label="Person", empty_label="Choose a person")
    role = forms.ChoiceField(choices=QSGRole.Role.choices, widget=forms.RadioSelect, label="Role")
    is_named_representative = forms.BooleanField(
        required=False, initial=True, label="Named representative of their organisation"
    )

    def __init__(self, *args, people, qsg: QSG, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda u: f"{u.display_name}, {u.organisation}"
        if qsg.level == QSG.Level.LOCAL:
            self.fields["role"].choices = [
                c for c in QSGRole.Role.choices if c[0] != QSGRole.Role.REGIONAL_REVIEWER
            ]


class ProviderForm(forms.Form):
    ods_code = forms.CharField(
        max_length=10,
        label="ODS code",
        help_text="The provider's Organisation Data Service code, like RW3",
        widget=forms.TextInput(attrs={"spellcheck": False, "autocomplete": "off"}),
    )
    name = forms.CharField(max_length=200, label="Provider name")
    sector = forms.ChoiceField(
        choices=[("", "Choose a sector"), *Provider.Sector.choices], label="Sector"
    )
    qsg = forms.ModelChoiceField(
        queryset=QSG.objects.none(),
        label=say_lazy("Local QSG"),
        empty_label=say_lazy("Choose a local QSG"),
    )
    district = forms.CharField(max_length=120, required=False, label="District")
    commissioners = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Commissioned by",
    )
    other_qsgs = forms.ModelMultipleChoiceField(
        queryset=QSG.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=say_lazy("Other QSGs whose footprint it sits in"),
        help_text=say_lazy(
            "For a provider serving several areas: the lead QSG above keeps its record; "
            "these QSGs see it too"
        ),
    )

    def __init__(self, *args, qsgs, commissioners, other_qsgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qsg"].queryset = qsgs
        self.fields["commissioners"].queryset = commissioners
        self.fields["other_qsgs"].queryset = other_qsgs

    def clean_ods_code(self):
        code = self.cleaned_data["ods_code"].strip().upper()
        if not (3 <= len(code) <= 10 and code.isalnum()):
            raise forms.ValidationError(
                "Enter an ODS code of 3 to 10 letters and numbers, like RW3"
            )
        return code


class ProviderSearchForm(forms.Form):
    is_filter_form = True
    q = forms.CharField(required=False, max_length=100, label="Search by name or ODS code")
    sector = forms.ChoiceField(
        choices=[("", "All sectors"), *Provider.Sector.choices], required=False
    )
    qsg = forms.ModelChoiceField(
        queryset=QSG.objects.none(),
        required=False,
        empty_label=say_lazy("All QSGs"),
        label=say_lazy("QSG"),
    )

    def __init__(self, *args, qsgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qsg"].queryset = qsgs


class QSGSettingsForm(forms.Form):
    footprint = forms.CharField(
        max_length=200,
        required=False,
        label="Footprint",
        help_text=say_lazy("The area the QSG covers"),
    )
    moderation_enabled = forms.BooleanField(
        required=False,
        label="The secretariat triages intelligence before other members see it",
        help_text="Recommended. If you turn this off, shared intelligence reaches members as soon as it is submitted.",
    )


class ConfirmForm(forms.Form):
    """An empty form for confirm-and-POST pages."""


class ProfileForm(forms.Form):
    first_name = forms.CharField(
        max_length=150,
        label="First name",
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        max_length=150,
        label="Last name",
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": False}),
    )
    job_title = forms.CharField(max_length=150, required=False, label="Job title")


class LoginForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": False}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        from .accounts import policy

        if policy.must_use_single_sign_on(user):
            raise forms.ValidationError(
                "Your account signs in through your organisation's identity provider. "
                "Use the single sign-on button.",
                code="sso_only",
            )
