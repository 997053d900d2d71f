"""Forms of the pack pages. They validate input; services do the writing."""

from __future__ import annotations

from django import forms

from qsg.forms import TokenForm
from qsg.forms_nhs import NHSDateField
from surveillance.packs.models import MemberReturn


class MemberReturnForm(TokenForm):
    nothing_to_report = forms.BooleanField(
        required=False,
        label="Nothing to report",
        help_text="Choose this if your organisation has nothing for this meeting",
    )
    concerns = forms.CharField(
        required=False,
        max_length=4000,
        label="Concerns about providers",
        help_text="What concerns you, about which provider, and what you know. "
        "No patient names, NHS numbers or dates of birth. Up to 4,000 characters.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    concern_providers = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Providers your concerns are about",
        widget=forms.CheckboxSelectMultiple,
    )
    actions_completed = forms.CharField(
        required=False,
        max_length=3000,
        label="Actions completed",
        help_text="Actions your organisation owns that are done, with their reference, like A12",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    intelligence = forms.CharField(
        required=False,
        max_length=4000,
        label="Intelligence to share",
        help_text="Soft intelligence for the group: themes, sources in general terms, "
        "what it suggests. Up to 4,000 characters.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    handling = forms.ChoiceField(
        choices=MemberReturn.Handling.choices,
        initial=MemberReturn.Handling.MEMBERS,
        label="Who may read this return in the pack",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern_providers"].queryset = providers
        self.fields["concern_providers"].label_from_instance = lambda p: p.name

    def clean(self):
        data = super().clean()
        for name in ("concerns", "actions_completed", "intelligence"):
            data[name] = (data.get(name) or "").strip()
        return data


class PackSettingsForm(TokenForm):
    returns_due_on = NHSDateField(
        label="Returns are due by",
        help_text="Members are reminded 3 days before and again if it passes",
    )
    marking = forms.CharField(
        max_length=60,
        label="Protective marking",
        help_text="Printed on every page, for example OFFICIAL-SENSITIVE",
    )


class PublishForm(forms.Form):
    number = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
