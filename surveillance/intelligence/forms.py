"""Forms of the intelligence pages. They validate input and screen free text; services write.

Submitting is four short steps (who it is about, what was seen, how reliable it is, who may
see it), each saved to the draft, then a check-your-answers page. Free text is screened for
patient-identifiable data at every step, so nothing identifiable is stored even in a draft;
the service screens again on submit.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from qsg import dimensions
from qsg.forms import ProviderCodesField, TokenForm
from qsg.forms_nhs import NHSDateField
from qsg.models import QSG, Membership, Organisation, Provider
from qsg.screening import pid_errors
from qsg.vocabulary import say, say_lazy
from surveillance.intelligence.models import (
    DETAILS_MAX,
    NAMED_ORGANISATIONS_MAX,
    NOTE_MAX,
    PROVIDERS_MAX,
    REASON_MAX,
    SERVICE_SITE_MAX,
    SUMMARY_MAX,
    IntelligenceItem,
    Theme,
)

Item = IntelligenceItem

RELIABILITY_HINTS = {
    "A": "No doubt about the source's authenticity, trustworthiness or competence; "
    "a history of complete reliability",
    "B": "Minor doubts; a history of mostly valid information",
    "C": "Doubts; has provided valid information in the past",
    "D": "Significant doubts; has provided valid information in the past",
    "E": "Lacking authenticity, trustworthiness or competence; a history of invalid information",
    "F": "No basis for judging the source's reliability",
}
CERTAINTY_HINTS = {
    "1": "Confirmed by other independent sources; logical in itself; consistent with what "
    "else we know",
    "2": "Not confirmed; logical in itself; consistent with what else we know",
    "3": "Not confirmed; reasonably logical; agrees with some of what else we know",
    "4": "Not confirmed; possible but not logical; no other information on the subject",
    "5": "Not confirmed; not logical in itself; contradicted by other information",
    "6": "No basis for judging whether it is true",
}
DISTRIBUTION_HINTS = {
    Item.Distribution.ORGANISATION: say_lazy(
        "Only people in your organisation and the QSG's "
        "secretariat. Use it to record something you are not ready to share"
    ),
    Item.Distribution.QSG: say_lazy(
        "Everyone who holds a role in this QSG, once the secretariat has triaged it"
    ),
    Item.Distribution.REGION: say_lazy("This QSG's members and the regional QSG's team"),
    Item.Distribution.NAMED: say_lazy(
        "Only the organisations you name below and the QSG's "
        "secretariat; every view is written to the access log"
    ),
}


def screen_text(form: forms.Form, *names: str) -> None:
    """Put an error naming what was found, and where, on each field that holds PID."""
    for name in names:
        value = form.cleaned_data.get(name)
        if not value:
            continue
        label = str(form.fields[name].label or name).split(" (")[0]
        for message in pid_errors({name: (label, value)}).get(name, []):
            form.add_error(name, message)


class RadioWithHints(forms.RadioSelect):
    """Radios whose items carry a hint (the NHS.UK radios' item hint)."""

    def __init__(self, hints: dict, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hints = {str(k): v for k, v in hints.items()}


class AboutForm(TokenForm):
    """Step 1: the QSG and the provider(s) the intelligence is about."""

    qsg = forms.ModelChoiceField(
        queryset=QSG.objects.none(),
        label=say_lazy("Which QSG are you sharing this with?"),
        error_messages={
            "required": say_lazy("Choose the QSG you are sharing it with"),
            "invalid_choice": say_lazy("Choose the QSG you are sharing it with"),
        },
        widget=forms.RadioSelect,
        empty_label=None,
    )
    providers = ProviderCodesField(
        required=True,
        label="Provider ODS codes",
        help_text=f"The provider or providers it is about, for example RW3. Separate more than "
        f"one with commas (up to {PROVIDERS_MAX}).",
    )
    service_site = forms.CharField(
        max_length=SERVICE_SITE_MAX,
        required=False,
        label="Service or site",
        help_text="For example, a ward, a department or a hospital site. Do not name people.",
    )
    outside_reason = forms.CharField(
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=say_lazy("Why are you sharing intelligence about a provider outside your QSGs?"),
        help_text=say_lazy(
            "Needed only if a provider is outside the footprint of the QSGs you belong to. "
            f"Up to {REASON_MAX} characters."
        ),
    )

    def __init__(self, *args, qsgs, own_qsg_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qsg"].queryset = qsgs
        self.fields["providers"].providers = Provider.objects.filter(is_active=True)
        self.own_qsg_ids = set(own_qsg_ids)

    def clean_providers(self):
        providers = self.cleaned_data["providers"]
        if not providers:
            raise forms.ValidationError("Enter the ODS code of the provider it is about")
        if len(providers) > PROVIDERS_MAX:
            raise forms.ValidationError(f"Name up to {PROVIDERS_MAX} providers")
        return providers

    def outside(self) -> list[Provider]:
        allowed = set(self.own_qsg_ids)
        return [p for p in self.cleaned_data.get("providers") or [] if p.qsg_id not in allowed]

    def clean(self):
        data = super().clean()
        screen_text(self, "service_site", "outside_reason")
        outside = self.outside() if "providers" in data else []
        if outside and not (data.get("outside_reason") or "").strip():
            # By the codes typed: a provider outside your QSGs is not yours to see named.
            names = ", ".join(p.ods_code for p in outside)
            self.add_error(
                "outside_reason",
                f"Say why you are sharing intelligence about {names}, "
                + say("which is outside your QSGs"),
            )
        return data


class DetailsForm(TokenForm):
    """Step 2: what was seen or heard."""

    source_type = forms.ChoiceField(
        choices=[("", "Choose a source"), *Item.SourceType.choices],
        label="Where did the intelligence come from?",
        error_messages={
            "required": "Choose where the intelligence came from",
            "invalid_choice": "Choose where the intelligence came from",
        },
    )
    quality_dimension = forms.ChoiceField(
        choices=dimensions.choices,
        widget=forms.RadioSelect,
        label="Which part of quality does it concern?",
        error_messages={
            "required": "Choose which part of quality it concerns",
            "invalid_choice": "Choose which part of quality it concerns",
        },
    )
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.filter(is_active=True),
        required=False,
        empty_label="Not sure: the secretariat will assign one",
        label="Theme",
    )
    summary = forms.CharField(
        max_length=SUMMARY_MAX,
        label="Summary",
        error_messages={"required": "Enter a summary", "invalid_choice": "Enter a summary"},
        help_text=f"One line that others will see in lists. Up to {SUMMARY_MAX} characters. "
        "Do not include anything that could identify a patient or member of the public.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    details = forms.CharField(
        max_length=DETAILS_MAX,
        label="Details",
        error_messages={"required": "Enter the details", "invalid_choice": "Enter the details"},
        help_text=f"What was seen or heard, and when. Up to {DETAILS_MAX} characters. No names, "
        "NHS numbers, dates of birth, addresses, postcodes, phone numbers or e-mail addresses.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    observed_from = NHSDateField(
        label="When was it observed?",
        error_messages={
            "required": "Enter the date it was observed",
            "invalid_choice": "Enter the date it was observed",
        },
        help_text="The day, or the first day of the period. For example, 15 3 2026",
    )
    observed_to = NHSDateField(
        required=False,
        label="End of the period observed",
        help_text="Leave blank if it was a single day",
    )

    def clean(self):
        data = super().clean()
        screen_text(self, "summary", "details")
        today = timezone.localdate()
        start, end = data.get("observed_from"), data.get("observed_to")
        if start and start > today:
            self.add_error("observed_from", "The date observed must be today or in the past")
        if end and end > today:
            self.add_error("observed_to", "The end of the period must be today or in the past")
        if start and end and end < start:
            self.add_error("observed_to", "The end of the period must be on or after its start")
        return data


class GradingForm(TokenForm):
    """Step 3: how far the source and the information can be relied on."""

    source_reliability = forms.ChoiceField(
        choices=Item.Reliability.choices,
        widget=RadioWithHints(RELIABILITY_HINTS),
        label="How reliable is the source?",
        error_messages={
            "required": "Choose how reliable the source is",
            "invalid_choice": "Choose how reliable the source is",
        },
    )
    information_certainty = forms.TypedChoiceField(
        choices=Item.Certainty.choices,
        coerce=int,
        widget=RadioWithHints(CERTAINTY_HINTS),
        label="How certain is the information?",
        error_messages={
            "required": "Choose how certain the information is",
            "invalid_choice": "Choose how certain the information is",
        },
    )
    review_by = NHSDateField(
        label="Review by",
        error_messages={
            "required": "Enter a review-by date",
            "invalid_choice": "Enter a review-by date",
        },
        help_text="When the secretariat should check whether it still matters. "
        "For example, 30 6 2026",
    )

    def __init__(self, *args, observed_from: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.observed_from = observed_from

    def clean_review_by(self):
        review_by = self.cleaned_data["review_by"]
        if self.observed_from and review_by < self.observed_from:
            raise forms.ValidationError("The review-by date must be after the date observed")
        if review_by < timezone.localdate():
            raise forms.ValidationError("The review-by date must be today or in the future")
        return review_by


class SharingForm(TokenForm):
    """Step 4: who may see it."""

    distribution = forms.ChoiceField(
        choices=Item.Distribution.choices,
        widget=RadioWithHints(DISTRIBUTION_HINTS),
        label="Who may see it?",
        error_messages={
            "required": "Choose who may see it",
            "invalid_choice": "Choose who may see it",
        },
    )
    named_organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Named organisations",
        help_text=say_lazy(
            f"Up to {NAMED_ORGANISATIONS_MAX}. The QSG's own members come first; open a "
            "type to find any other organisation."
        ),
    )
    do_not_attribute = forms.BooleanField(
        required=False,
        label="Do not attribute it to my organisation",
        help_text=say_lazy("Only the QSG's secretariat will see which organisation shared it"),
    )

    def __init__(self, *args, organisations, qsg: QSG | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named_organisations"].queryset = organisations
        self.qsg = qsg

    def organisation_groups(self) -> list[dict]:
        """The named-organisation choices as the picker shows them: the QSG's own members
        first, then every other organisation by type (over a hundred in all, too many for one
        list). A group holding a chosen organisation starts open."""
        bf = self["named_organisations"]
        chosen = {str(getattr(v, "pk", v)) for v in (bf.value() or [])}
        members = (
            set(Membership.objects.filter(qsg=self.qsg).values_list("organisation_id", flat=True))
            if self.qsg
            else set()
        )
        groups: dict[tuple, list[dict]] = {}
        member_items: list[dict] = []
        organisations = bf.field.queryset.select_related("type").order_by("name")
        for organisation in organisations:
            item = {
                "value": str(organisation.pk),
                "text": organisation.name,
                "checked": str(organisation.pk) in chosen,
            }
            if organisation.pk in members:
                member_items.append(item)
            else:
                kind = organisation.type
                groups.setdefault((kind.sort_order, kind.label), []).append(item)
        ordered = [
            {"heading": label, "items": items, "open": any(i["checked"] for i in items)}
            for (_, label), items in sorted(groups.items())
        ]
        if member_items:
            heading = f"Members of {self.qsg.name}"
            ordered.insert(0, {"heading": heading, "items": member_items, "members": True})
        elif ordered:
            ordered[0]["open"] = True
        # The first box carries the field's id: the error summary links to it.
        for n, item in enumerate(i for group in ordered for i in group["items"]):
            item["id"] = bf.auto_id if n == 0 else f"{bf.auto_id}-{item['value']}"
        return ordered

    def clean(self):
        data = super().clean()
        named = list(data.get("named_organisations") or [])
        if data.get("distribution") == Item.Distribution.NAMED and not named:
            self.add_error("named_organisations", "Choose the organisations that may see it")
        if len(named) > NAMED_ORGANISATIONS_MAX:
            self.add_error(
                "named_organisations", f"Choose up to {NAMED_ORGANISATIONS_MAX} organisations"
            )
        if data.get("distribution") != Item.Distribution.NAMED:
            data["named_organisations"] = []
        return data


STEPS = {
    "about": (AboutForm, "Who is it about?"),
    "details": (DetailsForm, "What was seen or heard?"),
    "grading": (GradingForm, "How reliable is it?"),
    "sharing": (SharingForm, "Who may see it?"),
}
STEP_ORDER = list(STEPS)


class SubmitForm(TokenForm):
    """The check-your-answers page's button: the token makes a double submit one item."""


# Reading ----------------------------------------------------------------------------------------


class ItemFilterForm(forms.Form):
    is_filter_form = True

    q = forms.CharField(required=False, max_length=200, label="Search")
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(), required=False, empty_label="Any provider"
    )
    qsg = forms.ModelChoiceField(
        queryset=QSG.objects.none(),
        required=False,
        empty_label=say_lazy("Any QSG"),
        label=say_lazy("QSG"),
    )
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.all(), required=False, empty_label="Any theme"
    )
    dimension = forms.ChoiceField(
        choices=lambda: [("", "Any"), *dimensions.choices()],
        required=False,
        label="Quality dimension",
    )
    source_type = forms.ChoiceField(
        choices=[("", "Any source"), *Item.SourceType.choices],
        required=False,
        label="Source",
    )
    status = forms.ChoiceField(
        choices=[("", "Any status")]
        + [c for c in Item.Status.choices if c[0] != Item.Status.DRAFT],
        required=False,
    )
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Any organisation",
        label="Submitted by",
    )
    observed_after = NHSDateField(required=False, label="Observed from")
    observed_before = NHSDateField(required=False, label="Observed to")

    def __init__(self, *args, providers, qsgs, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["qsg"].queryset = qsgs
        self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        after, before = data.get("observed_after"), data.get("observed_before")
        if after and before and before < after:
            self.add_error("observed_before", "The end date must be on or after the start date")
        return data


class CorroborateForm(TokenForm):
    note = forms.CharField(
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What do you hold? (seen only by the secretariat)",
        help_text=f"Up to {NOTE_MAX} characters. No patient-identifiable information.",
    )

    def clean(self):
        data = super().clean()
        screen_text(self, "note")
        return data


class WidenForm(SharingForm):
    """Who may see an item after it is submitted: the owner or the secretariat widens it."""

    do_not_attribute = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distribution"].label = "Share it with"
        self.fields[
            "named_organisations"
        ].help_text = "Organisations already named stay named: sharing can only be widened."


class TriageForm(TokenForm):
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.filter(is_active=True),
        label="Theme",
        empty_label="Choose a theme",
        error_messages={"required": "Choose a theme", "invalid_choice": "Choose a theme"},
    )
    providers = ProviderCodesField(
        required=True,
        label="Provider ODS codes",
        help_text="Link it to the right provider or providers, for example RW3, RBV",
    )
    for_next_meeting = forms.BooleanField(
        required=False,
        label="Put it on the next meeting's agenda",
        help_text=say_lazy(
            "It will be proposed when the agenda of the QSG's next meeting is drawn up"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["providers"].providers = Provider.objects.filter(is_active=True)


class MergeForm(TokenForm):
    into = forms.CharField(
        max_length=20,
        label="Reference of the item to keep",
        error_messages={
            "required": "Enter the reference of the item to keep",
            "invalid_choice": "Enter the reference of the item to keep",
        },
        help_text="This item will be marked as a duplicate of it, for example INT-2026-000123",
        widget=forms.TextInput(attrs={"spellcheck": False, "autocomplete": "off"}),
    )
