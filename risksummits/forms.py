"""Forms of the risk summit pages. They validate input; services do the writing."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone

from qsg.forms import TokenForm
from qsg.forms_nhs import NHSDateField
from qsg.models import Organisation, Provider, User
from qsg.vocabulary import say, say_lazy

from .models import (
    CQCJudgement,
    ImpactAssessmentResponse,
    RiskSummit,
    SummitAction,
    SummitMeeting,
)

_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)
TIME_HINT = "Use the 24-hour clock, for example 09:30 or 14:00"

PROFESSIONAL_REGULATORS = [
    ("", "Choose a regulator"),
    ("General Medical Council", "General Medical Council"),
    ("Nursing and Midwifery Council", "Nursing and Midwifery Council"),
    ("Health and Care Professions Council", "Health and Care Professions Council"),
    ("General Dental Council", "General Dental Council"),
    ("General Pharmaceutical Council", "General Pharmaceutical Council"),
    ("General Optical Council", "General Optical Council"),
    ("Social Work England", "Social Work England"),
    ("Other professional regulator", "Other professional regulator"),
]


def parse_time(value: str) -> dt.time | None:
    match = _TIME.match(value or "")
    if not match:
        return None
    hour, minute, half = (
        int(match.group(1)),
        int(match.group(2) or 0),
        (match.group(3) or "").lower(),
    )
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


class TimeField(forms.CharField):
    default_error_messages = {"invalid": "Enter a real time, for example 09:30 or 14:00"}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 8)
        kwargs.setdefault("help_text", TIME_HINT)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        parsed = parse_time(value)
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


def combine(date: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    if date is None or time is None:
        return None
    return timezone.make_aware(dt.datetime.combine(date, time))


class DateTimeMixin:
    """Forms with <name>_date and <name>_time fields get cleaned_data[<name>] as a datetime."""

    datetime_fields: tuple[str, ...] = ()

    def _post_clean_datetimes(self, cleaned):
        for name in self.datetime_fields:
            date, time = cleaned.get(f"{name}_date"), cleaned.get(f"{name}_time")
            cleaned[name] = combine(date, time)
        return cleaned


class TriggerForm(DateTimeMixin, TokenForm):
    """Opens a summit (the 2013 face); RapidReviewForm is its 2022 face. Each names the fields
    its service takes and the words of its page."""

    datetime_fields = ("judged_at",)
    service_fields = (
        "providers",
        "concern",
        "source",
        "source_detail",
        "source_item",
        "urgency",
        "judged_at",
        "involves_adult_safeguarding",
        "involves_child_safeguarding",
    )
    heading = "Trigger a {term}"
    intro = (
        "Trigger a {term} when your organisation has concerns that there is, or could be, a "
        "serious quality failure at a provider. The members relevant to the provider are told at "
        "once and must first meet within 24 or 48 hours of your judgement."
    )
    more_providers = "The concern is about more than one provider"
    action = "Trigger the {term}"
    done = "{Term} {reference} has been triggered. The participants have been told."

    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(),
        label="Which provider is the concern about?",
        empty_label="Choose a provider",
        error_messages={"required": "Choose the provider the concern is about"},
    )
    other_providers = forms.ModelMultipleChoiceField(
        queryset=Provider.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Other providers the concern is about",
        help_text=say_lazy("In the footprint of the same local QSG"),
    )
    concern = forms.CharField(
        max_length=4000,
        label="What is the concern?",
        help_text="Describe the quality failure or risk. Do not include anything that identifies a patient.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Describe the concern"},
    )
    source = forms.ChoiceField(
        choices=RiskSummit.Source.choices,
        widget=forms.RadioSelect,
        label="Where did the concern come from?",
        error_messages={"required": "Choose where the concern came from"},
    )
    source_detail = forms.CharField(
        max_length=200,
        required=False,
        label="Source reference",
        help_text="For example, the intelligence item or inspection report reference",
    )
    source_item = forms.CharField(
        max_length=20,
        required=False,
        label="Intelligence item it came from (optional)",
        help_text="Its reference, for example INT-2026-000123. The concern is then shown only "
        "to those who may read that item.",
    )
    urgency = forms.ChoiceField(
        choices=RiskSummit.Urgency.choices,
        widget=forms.RadioSelect,
        label="How soon must the relevant members meet?",
        error_messages={"required": "Choose how soon the members must meet"},
    )
    judged_at_date = NHSDateField(
        label="Date of the judgement",
        help_text="When your organisation judged there could be a serious quality failure. For example, 15 3 2026",
        error_messages={"required": "Enter the date of the judgement"},
    )
    judged_at_time = TimeField(
        label="Time of the judgement",
        error_messages={"required": "Enter the time of the judgement"},
    )
    involves_adult_safeguarding = forms.BooleanField(
        required=False, label="The concern involves adult safeguarding"
    )
    involves_child_safeguarding = forms.BooleanField(
        required=False, label="The concern involves child safeguarding"
    )

    def __init__(self, *args, providers, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.fields["provider"].queryset = providers
        self.fields["other_providers"].queryset = providers
        label = lambda p: f"{p.name} ({p.ods_code})"  # noqa: E731
        self.fields["provider"].label_from_instance = label
        self.fields["other_providers"].label_from_instance = label

    def clean_source_item(self):
        """The item, among those the person may see (`items`): a hidden reference gets the same
        error as one that does not exist."""
        reference = (self.cleaned_data.get("source_item") or "").strip()
        if not reference:
            return None
        found = self.items.filter(reference__iexact=reference).first() if self.items else None
        if found is None:
            raise forms.ValidationError("Enter the reference of an intelligence item you can see")
        return found

    def clean(self):
        cleaned = self._post_clean_datetimes(super().clean())
        lead = cleaned.get("provider")
        others = [p for p in cleaned.get("other_providers") or [] if p != lead]
        if lead is not None and any(p.qsg_id != lead.qsg_id for p in others):
            self.add_error(
                "other_providers",
                say(
                    "Choose providers in the footprint of the same local QSG. Trigger a separate "
                    "summit for providers elsewhere."
                ),
            )
        cleaned["providers"] = [lead, *others] if lead is not None else []
        return cleaned

    def service_kwargs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.service_fields}

    def words(self, term: str) -> dict[str, str]:
        """The page's words with the deployment's term for a summit in them."""
        capital = term[:1].upper() + term[1:]
        keys = ("heading", "intro", "more_providers", "action", "done")
        words = {k: getattr(self, k) for k in keys}
        # "done" keeps {reference} for the view to fill in.
        return {k: v.replace("{term}", term).replace("{Term}", capital) for k, v in words.items()}


class SummitEditForm(forms.Form):
    concern = TriggerForm.base_fields["concern"]
    source = TriggerForm.base_fields["source"]
    source_detail = TriggerForm.base_fields["source_detail"]
    urgency = TriggerForm.base_fields["urgency"]
    clock_hours = forms.IntegerField(
        min_value=1,
        max_value=168,
        label="Hours from the judgement to the first meeting",
        help_text="24 or 48 hours, or sooner if the situation demands it",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": "The clock must be at least 1 hour",
            "max_value": "The clock must be at most 168 hours (7 days)",
            "invalid": "Enter the number of hours, like 24",
            "required": "Enter the number of hours, like 24",
        },
    )
    ring_holder_window_hours = forms.IntegerField(
        min_value=1,
        max_value=168,
        label=say_lazy("Hours to agree the ring-holder before NHS England holds it by default"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": "Enter at least 1 hour",
            "max_value": "Enter at most 168 hours",
            "invalid": "Enter the number of hours, like 24",
            "required": "Enter the number of hours, like 24",
        },
    )
    involves_adult_safeguarding = TriggerForm.base_fields["involves_adult_safeguarding"]
    involves_child_safeguarding = TriggerForm.base_fields["involves_child_safeguarding"]


class ParticipantAddForm(TokenForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Organisation",
        empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation"},
    )
    people = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="People taking part",
        help_text="People with an account in the chosen organisation",
    )
    shared_items_only = forms.BooleanField(
        required=False,
        label="Only what is marked as shared with the provider",
        help_text=say_lazy("For the provider when it is invited to parts of the summit"),
    )

    def __init__(self, *args, organisations, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["people"].queryset = people
        self.fields["people"].label_from_instance = lambda u: f"{u.display_name}, {u.organisation}"

    def clean(self):
        cleaned = super().clean()
        org = cleaned.get("organisation")
        for person in cleaned.get("people") or []:
            if org is not None and person.organisation_id != org.pk:
                self.add_error("people", f"{person.display_name} does not work for {org.name}")
        return cleaned


class RepresentativeAddForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Person",
        empty_label="Choose a person",
        error_messages={"required": "Choose the person"},
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].label_from_instance = lambda u: u.display_name


class GuestForm(TokenForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Their organisation",
        empty_label="Not listed: enter its name below",
        help_text="For example, the police, a safeguarding board or a professional regulator",
    )
    organisation_name = forms.CharField(
        max_length=200, required=False, label="Name of an organisation not listed"
    )
    first_name = forms.CharField(
        max_length=150, label="First name", error_messages={"required": "Enter their first name"}
    )
    last_name = forms.CharField(
        max_length=150, label="Last name", error_messages={"required": "Enter their last name"}
    )
    email = forms.EmailField(
        label="Email address",
        help_text="They will get a link to set their password",
        widget=forms.EmailInput(attrs={"spellcheck": False, "autocomplete": "off"}),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    job_title = forms.CharField(max_length=150, required=False, label="Job title")
    is_provider = forms.BooleanField(required=False, label="They represent the provider")
    shared_items_only = forms.BooleanField(
        required=False,
        label="Only what is marked as shared with the provider",
        help_text=say_lazy(
            "Leave unticked for parties who take part in the whole summit, like the police"
        ),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("organisation") and not (cleaned.get("organisation_name") or "").strip():
            self.add_error("organisation_name", "Choose the guest's organisation or enter its name")
        return cleaned


class RingHolderProposeForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=say_lazy("Organisation to hold the ring"),
        empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation"},
    )
    reason = forms.CharField(
        max_length=250,
        label="Why this organisation?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": say_lazy("Say why this organisation should hold the ring")},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class RingHolderPositionForm(forms.Form):
    position = forms.ChoiceField(
        choices=[("agree", "We agree"), ("object", "We object")],
        widget=forms.RadioSelect,
        label="Does your organisation agree?",
        error_messages={"required": "Say whether your organisation agrees"},
    )
    comment = forms.CharField(
        max_length=300,
        required=False,
        label="Comment",
        help_text="Required if you object",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RingHolderConfirmForm(forms.Form):
    note = forms.CharField(
        max_length=250,
        label="How and when did the participants agree?",
        help_text="For example, agreed on the call at 16:00",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say how and when the participants agreed"},
    )


class JudgementForm(TokenForm):
    finding = forms.ChoiceField(
        choices=CQCJudgement.Finding.choices,
        widget=forms.RadioSelect,
        label="The CQC's regulatory judgement",
        error_messages={"required": "Choose the judgement"},
    )
    judged_on = NHSDateField(
        label="Date of the judgement",
        help_text="For example, 15 3 2026",
        error_messages={"required": "Enter the date of the judgement"},
    )
    rationale = forms.CharField(
        max_length=4000,
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give the rationale for the judgement"},
    )


class ChecksForm(forms.Form):
    professional_referral = forms.ChoiceField(
        choices=RiskSummit.ProfessionalReferral.choices,
        widget=forms.RadioSelect,
        required=False,
        label="Professional standards: was a referral to a professional regulator considered?",
    )
    professional_regulator = forms.ChoiceField(
        choices=PROFESSIONAL_REGULATORS, required=False, label="Referral made to"
    )
    professional_referral_on = NHSDateField(
        required=False, label="Date of the referral", help_text="For example, 15 3 2026"
    )
    adult_safeguarding_followed = forms.ChoiceField(
        choices=RiskSummit.Answer.choices,
        widget=forms.RadioSelect,
        required=False,
        label="Was the local authority's adult safeguarding protocol followed?",
    )
    adult_safeguarding_reason = forms.CharField(
        max_length=500,
        required=False,
        label="Reason",
        help_text="Required if the answer is no or not applicable",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    lscb_notified = forms.ChoiceField(
        choices=RiskSummit.Answer.choices,
        widget=forms.RadioSelect,
        required=False,
        label=say_lazy("Was the Local Safeguarding Children Board formally notified?"),
    )
    lscb_notified_on = NHSDateField(
        required=False, label="Date the LSCB was notified", help_text="For example, 15 3 2026"
    )
    lscb_reason = forms.CharField(
        max_length=500,
        required=False,
        label="Reason",
        help_text="Required if the answer is no or not applicable",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ImpactRequestForm(DateTimeMixin, TokenForm):
    datetime_fields = ("respond_by",)

    action_considered = forms.CharField(
        max_length=2000,
        label="What regulatory action is the CQC considering?",
        help_text="For example, suspending admissions to the maternity unit",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe the action the CQC is considering"},
    )
    respond_by_date = NHSDateField(
        label="Respond by (date)",
        help_text="For example, 15 3 2026",
        error_messages={"required": "Enter the date to respond by"},
    )
    respond_by_time = TimeField(
        label="Respond by (time)", error_messages={"required": "Enter the time to respond by"}
    )

    def clean(self):
        return self._post_clean_datetimes(super().clean())


class ImpactResponseForm(forms.Form):
    impact = forms.ChoiceField(
        choices=ImpactAssessmentResponse.Impact.choices,
        widget=forms.RadioSelect,
        label="What would the impact be on services for the population?",
        error_messages={"required": "Choose the impact"},
    )
    assessment = forms.CharField(
        max_length=4000,
        label="Your organisation's assessment",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Give your organisation's assessment"},
    )


class MeetingBookForm(DateTimeMixin, TokenForm):
    datetime_fields = ("starts_at",)

    starts_at_date = NHSDateField(
        label="Date",
        help_text="For example, 15 3 2026",
        error_messages={"required": "Enter the date"},
    )
    starts_at_time = TimeField(
        label="Start time", error_messages={"required": "Enter the start time"}
    )
    format = forms.ChoiceField(
        choices=SummitMeeting.Format.choices,
        widget=forms.RadioSelect,
        label="How will the members meet?",
        initial=SummitMeeting.Format.VIDEO,
        error_messages={"required": "Choose how the members will meet"},
    )
    venue = forms.CharField(
        max_length=200,
        required=False,
        label="Venue or call details",
        help_text="Not the joining link's password",
    )
    shared_with_provider = forms.BooleanField(
        required=False, label="The provider may see this meeting and its record"
    )
    late_reason = forms.CharField(
        max_length=500,
        required=False,
        label="If this first meeting is after the deadline, why can the members not meet in time?",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        return self._post_clean_datetimes(super().clean())


class MeetingMoveForm(DateTimeMixin, forms.Form):
    datetime_fields = ("starts_at",)

    starts_at_date = NHSDateField(
        label="New date",
        help_text="For example, 15 3 2026",
        error_messages={"required": "Enter the date"},
    )
    starts_at_time = TimeField(
        label="New start time", error_messages={"required": "Enter the start time"}
    )
    late_reason = forms.CharField(
        max_length=500,
        required=False,
        label="If this first meeting is after the deadline, why can the members not meet in time?",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        return self._post_clean_datetimes(super().clean())


class MeetingRecordForm(DateTimeMixin, forms.Form):
    datetime_fields = ("starts_at", "ends_at")

    starts_at_date = NHSDateField(
        label="Date held",
        help_text="For example, 15 3 2026",
        error_messages={"required": "Enter the date the meeting was held"},
    )
    starts_at_time = TimeField(
        label="Start time", error_messages={"required": "Enter the start time"}
    )
    ends_at_time = TimeField(label="End time", error_messages={"required": "Enter the end time"})
    chaired_by = forms.CharField(max_length=200, required=False, label="Chaired by")
    present = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Who attended?",
        error_messages={"required": "Choose who attended"},
    )
    discussion = forms.CharField(
        max_length=20000,
        required=False,
        label="Record of the discussion",
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    judgements = forms.CharField(
        max_length=8000,
        label="Judgements reached",
        help_text="The collective judgement on quality at the provider",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Record the judgements the meeting reached"},
    )
    shared_with_provider = forms.BooleanField(
        required=False, label="The provider may see this meeting and its record"
    )
    late_reason = forms.CharField(
        max_length=500,
        required=False,
        label="If this first meeting was after the deadline, why could the members not meet "
        "in time?",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = people
        self.fields["present"].label_from_instance = lambda u: f"{u.display_name}, {u.organisation}"

    def clean(self):
        cleaned = super().clean()
        date = cleaned.get("starts_at_date")
        cleaned["starts_at"] = combine(date, cleaned.get("starts_at_time"))
        cleaned["ends_at"] = combine(date, cleaned.get("ends_at_time"))
        if (
            cleaned["starts_at"]
            and cleaned["ends_at"]
            and cleaned["ends_at"] <= cleaned["starts_at"]
        ):
            self.add_error("ends_at_time", "The meeting must end after it starts")
        return cleaned


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Why is the meeting cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the meeting is cancelled"},
    )


class ActionForm(TokenForm):
    objective = forms.ChoiceField(
        choices=SummitAction.Objective.choices,
        widget=forms.RadioSelect,
        label="Which objective does the action serve?",
        error_messages={"required": "Choose the objective"},
    )
    description = forms.CharField(
        max_length=2000,
        label="Action",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Describe the action"},
    )
    owner_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Owner organisation",
        empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation that owns the action"},
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Named owner",
        empty_label="No named owner",
    )
    due_on = NHSDateField(
        label="Due date",
        help_text="For example, 15 3 2026",
        error_messages={"required": "Enter the due date"},
    )
    meeting = forms.ModelChoiceField(
        queryset=SummitMeeting.objects.none(),
        required=False,
        label="Agreed at",
        empty_label="Not at a meeting",
    )
    shared_with_provider = forms.BooleanField(
        required=False, label="The provider may see this action"
    )

    def __init__(self, *args, organisations, people, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_organisation"].queryset = organisations
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda u: f"{u.display_name}, {u.organisation}"
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = lambda m: (
            f"{m.title}, {timezone.localtime(m.starts_at):%-d %B %Y}"
        )

    def clean(self):
        cleaned = super().clean()
        org, owner = cleaned.get("owner_organisation"), cleaned.get("owner")
        if org is not None and owner is not None and owner.organisation_id != org.pk:
            self.add_error("owner", f"{owner.display_name} does not work for {org.name}")
        return cleaned


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(
        choices=SummitAction.Status.choices,
        widget=forms.RadioSelect,
        label="Status",
        error_messages={"required": "Choose the status"},
    )
    progress_note = forms.CharField(
        max_length=2000, required=False, label="Progress", widget=forms.Textarea(attrs={"rows": 3})
    )
    due_on = NHSDateField(required=False, label="Due date", help_text="For example, 15 3 2026")


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=RiskSummit.Outcome.choices,
        widget=forms.RadioSelect,
        label="Outcome",
        error_messages={"required": "Choose the outcome"},
    )
    outcome_summary = forms.CharField(
        max_length=4000,
        label="Summary of the outcome",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Summarise the outcome"},
    )
    level_after = forms.ChoiceField(
        choices=RiskSummit.LevelAfter.choices,
        widget=forms.RadioSelect,
        label=say_lazy("The provider's level of surveillance after the summit"),
        error_messages={
            "required": say_lazy("Choose the provider's level of surveillance after the summit")
        },
    )
