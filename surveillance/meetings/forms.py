"""Forms of the meeting pages. They validate input; services do the writing."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from qsg.forms import ProviderCodesField, TokenForm
from qsg.forms_nhs import NHSDateField
from qsg.models import Organisation, OrganisationType, Provider, QSGRole
from qsg.vocabulary import say_lazy
from surveillance.meetings import selectors as meetings_selectors
from surveillance.meetings.models import (
    Action,
    AgendaItem,
    Attendance,
    ConclusionCategory,
    FOIExemption,
    Meeting,
    MeetingSeries,
    PlanEntry,
)


class NHSTimeField(forms.TimeField):
    input_formats = ["%H:%M", "%H.%M", "%H%M"]
    default_error_messages = {"invalid": "Enter a time in 24-hour format, like 09:30 or 14:00"}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": False}
            ),
        )
        kwargs.setdefault("help_text", "24-hour clock, for example 14:00")
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(" ", "")
        return super().to_python(value)

    def prepare_value(self, value):
        if hasattr(value, "strftime"):
            return value.strftime("%H:%M")
        return value


def exemption_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=FOIExemption.objects.filter(is_active=True),
        required=False,
        empty_label="Open: no exemption",
        label="Freedom of Information marking",
        help_text="Mark it confidential by choosing the exemption it would be withheld under",
    )


class SeriesForm(TokenForm):
    title = forms.CharField(
        max_length=200, label="Title of the meetings", initial=say_lazy("QSG meeting")
    )
    cadence = forms.ChoiceField(
        choices=MeetingSeries.Cadence.choices,
        widget=forms.RadioSelect,
        label="How often the group meets",
    )
    first_date = NHSDateField(label="Date of the first meeting", help_text="For example, 14 4 2026")
    until = NHSDateField(label="Plan meetings until", help_text="For example, 31 3 2027")
    start_time = NHSTimeField(label="Start time")
    end_time = NHSTimeField(label="End time")
    venue = forms.CharField(max_length=300, required=False)
    dial_in = forms.CharField(max_length=300, required=False, label="Dial-in details")

    def clean(self):
        data = super().clean()
        if (
            data.get("start_time")
            and data.get("end_time")
            and data["end_time"] <= data["start_time"]
        ):
            self.add_error("end_time", "The end time must be after the start time")
        if data.get("first_date") and data.get("until") and data["until"] < data["first_date"]:
            self.add_error("until", "The last date must be on or after the first meeting")
        return data


class MeetingForm(TokenForm):
    title = forms.CharField(max_length=200)
    date = NHSDateField(label="Date", help_text="For example, 14 4 2026")
    start_time = NHSTimeField(label="Start time")
    end_time = NHSTimeField(label="End time")
    venue = forms.CharField(max_length=300, required=False)
    dial_in = forms.CharField(max_length=300, required=False, label="Dial-in details")
    status = forms.ChoiceField(
        choices=Meeting.Status.choices, widget=forms.RadioSelect, initial=Meeting.Status.SCHEDULED
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("start_time")
            and data.get("end_time")
            and data["end_time"] <= data["start_time"]
        ):
            self.add_error("end_time", "The end time must be after the start time")
        return data


class AgendaItemForm(TokenForm):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=AgendaItem.Kind.choices, label="Type of item")
    presenter = forms.CharField(
        max_length=150, required=False, help_text="For example, Area team director, or All"
    )
    presenter_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="None",
        label="Presenting organisation",
    )
    duration_minutes = forms.IntegerField(
        min_value=1,
        max_value=240,
        label="Time allowed (minutes)",
        initial=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    providers = ProviderCodesField(label="Providers discussed")
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    papers = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One paper a line, for example Paper B: CQC inspection summary",
    )
    is_confidential = forms.BooleanField(
        required=False,
        label="Confidential item",
        help_text="Only the secretariat, the chair and members from statutory bodies see it",
    )

    def __init__(self, *args, organisations=None, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["presenter_organisation"].queryset = organisations
        if providers is not None:
            self.fields["providers"].providers = providers


class AttendanceForm(TokenForm):
    person = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Someone not listed",
        label="Person",
        help_text=say_lazy(
            "People with a role in this QSG. Choose 'Someone not listed' for a deputy or guest"
        ),
    )
    name = forms.CharField(max_length=150, required=False, label="Name (if not listed)")
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Choose an organisation",
        help_text="Needed if the person is not listed",
    )
    capacity = forms.ChoiceField(
        choices=Attendance.Capacity.choices, initial=Attendance.Capacity.MEMBER
    )
    status = forms.ChoiceField(
        choices=Attendance.Status.choices,
        widget=forms.RadioSelect,
        initial=Attendance.Status.PRESENT,
    )
    present_from = NHSTimeField(label="Present from", required=False)
    present_to = NHSTimeField(label="Present until", required=False)
    deputy_for = forms.CharField(
        max_length=150,
        required=False,
        label="Deputising for",
        help_text="The member they stand in for, if any",
    )

    def __init__(self, *args, people=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda u: f"{u.display_name}, {u.organisation}"
        if organisations is not None:
            self.fields["organisation"].queryset = organisations

    def clean(self):
        data = super().clean()
        person = data.get("person")
        if person is None:
            if not (data.get("name") or "").strip():
                self.add_error("name", "Choose a person or enter their name")
            if data.get("organisation") is None and "organisation" not in self.errors:
                self.add_error("organisation", "Choose the organisation they represent")
        elif data.get("organisation") is None:
            data["organisation"] = person.organisation
        if data.get("status") == Attendance.Status.PRESENT:
            if not data.get("present_from") and "present_from" not in self.errors:
                self.add_error("present_from", "Enter the time they arrived, like 10:00")
            if not data.get("present_to") and "present_to" not in self.errors:
                self.add_error("present_to", "Enter the time they left, like 12:30")
            if (
                data.get("present_from")
                and data.get("present_to")
                and data["present_to"] <= data["present_from"]
            ):
                self.add_error(
                    "present_to", "The time they left must be after the time they arrived"
                )
        return data


class ExpectedAttendanceForm(TokenForm):
    """One submit for everyone expected: per person, did they attend, send apologies or a
    deputy, and from when to when. Fields are named `<field>_<user id>`."""

    ANSWERS = [
        ("present", "Present"),
        ("apologies", "Apologies"),
        ("deputy", "Sent a deputy"),
        ("absent", "Did not attend"),
    ]

    def __init__(self, *args, expected=(), starts=None, ends=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = [e for e in expected if not e.recorded]
        for e in self.expected:
            who = e.user.display_name
            pk = e.user.pk
            self.fields[f"status_{pk}"] = forms.ChoiceField(
                choices=self.ANSWERS,
                widget=forms.RadioSelect,
                initial="present",
                label=f"{who}, {e.user.organisation}",
                error_messages={"required": f"Choose whether {who} attended"},
            )
            self.fields[f"deputy_{pk}"] = forms.CharField(
                max_length=150,
                required=False,
                label=f"Name of the deputy for {who}",
                help_text="Only if they sent a deputy",
            )
            self.fields[f"from_{pk}"] = NHSTimeField(
                label=f"{who}: present from", required=False, initial=starts, help_text=""
            )
            self.fields[f"to_{pk}"] = NHSTimeField(
                label=f"{who}: present until", required=False, initial=ends, help_text=""
            )

    def rows(self):
        """Per person: the fields in the order the page shows them."""
        return [
            [self[f"{name}_{e.user.pk}"] for name in ("status", "deputy", "from", "to")]
            for e in self.expected
        ]

    def answers(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "expected": e,
                "status": data.get(f"status_{e.user.pk}"),
                "deputy": data.get(f"deputy_{e.user.pk}", ""),
                "present_from": data.get(f"from_{e.user.pk}"),
                "present_to": data.get(f"to_{e.user.pk}"),
            }
            for e in self.expected
        ]


class PassageForm(TokenForm):
    agenda_item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(), label="Agenda item", empty_label=None
    )
    text = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Record of discussion",
        help_text="Explicit and unambiguous. No patient-identifiable information",
    )
    foi_exemption = exemption_field()

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        if items is not None:
            self.fields["agenda_item"].queryset = items
            self.fields["agenda_item"].label_from_instance = lambda i: i.title


class ConclusionForm(TokenForm):
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(), empty_label="Choose a provider"
    )
    category = forms.ModelChoiceField(
        queryset=ConclusionCategory.objects.none(),
        widget=forms.RadioSelect,
        label="Conclusion",
        empty_label=None,
    )
    agenda_item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label="Not linked to an item",
        label="Agenda item",
    )
    key_issues = forms.CharField(
        max_length=3000, widget=forms.Textarea(attrs={"rows": 4}), label="Key issues or concerns"
    )
    rationale = forms.CharField(
        max_length=3000, widget=forms.Textarea(attrs={"rows": 4}), label="Rationale"
    )
    dissent = forms.CharField(
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Disagreement",
        help_text="If the group did not reach consensus: who disagreed and why. The chair then decides",
    )
    foi_exemption = exemption_field()

    def __init__(self, *args, providers=None, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        if providers is not None:
            self.fields["provider"].queryset = providers
        if items is not None:
            self.fields["agenda_item"].queryset = items
            self.fields["agenda_item"].label_from_instance = lambda i: i.title
        self.fields["category"].queryset = meetings_selectors.categories(
            keep=self.initial.get("category")
        )
        self.fields["category"].label_from_instance = lambda c: c.label


class SettleForm(forms.Form):
    decision = forms.CharField(
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Chair's decision",
        help_text="Whether the group goes with the majority view, and why",
    )


class ActionForm(TokenForm):
    description = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Action"
    )
    owner_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Owner organisation",
        empty_label="Choose an organisation",
    )
    owner = forms.ModelChoiceField(
        queryset=None, required=False, label="Owner (person)", empty_label="Not named"
    )
    due_date = NHSDateField(label="Due date", help_text="For example, 30 6 2026")
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(), required=False, empty_label="Not about one provider"
    )
    agenda_item = forms.ModelChoiceField(
        queryset=AgendaItem.objects.none(),
        required=False,
        label="Agenda item it arose from",
        empty_label="None",
        help_text="An action from an item that discusses intelligence is shown only to those "
        "who may read that intelligence.",
    )
    foi_exemption = exemption_field()

    def __init__(
        self, *args, organisations=None, people=None, providers=None, agenda=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        if agenda is not None:
            self.fields["agenda_item"].queryset = agenda
        if organisations is not None:
            self.fields["owner_organisation"].queryset = organisations
        self.fields["owner"].queryset = people
        self.fields["owner"].label_from_instance = lambda u: f"{u.display_name}, {u.organisation}"
        if providers is not None:
            self.fields["provider"].queryset = providers


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Action.Status.choices, widget=forms.RadioSelect)
    progress_note = forms.CharField(
        max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Progress"
    )
    completed_on = NHSDateField(
        required=False, label="Date completed", help_text="If done. For example, 2 5 2026"
    )

    def clean_completed_on(self):
        value = self.cleaned_data.get("completed_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date completed must be today or in the past")
        return value


class CirculateForm(forms.Form):
    comments_by = NHSDateField(
        required=False, label="Comments by", help_text="For example, 20 5 2026"
    )


class CommentForm(TokenForm):
    text = forms.CharField(
        max_length=3000, widget=forms.Textarea(attrs={"rows": 4}), label="Your comment"
    )


class ReviseForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why does the agreed note need to change?",
        help_text="This is recorded with the new version and shown on it",
    )


class PlanForm(TokenForm):
    title = forms.CharField(max_length=200, initial="Business cycle")
    period_start = NHSDateField(label="Period starts", help_text="For example, 1 4 2026")
    period_end = NHSDateField(label="Period ends", help_text="For example, 31 3 2027")

    def clean(self):
        data = super().clean()
        if (
            data.get("period_start")
            and data.get("period_end")
            and data["period_end"] <= data["period_start"]
        ):
            self.add_error("period_end", "The end of the period must be after its start")
        return data


class PlanEntryForm(TokenForm):
    kind = forms.ChoiceField(choices=PlanEntry.Kind.choices, widget=forms.RadioSelect, label="Type")
    title = forms.CharField(
        max_length=200, help_text="For example, Care homes in the north, or Frail older people"
    )
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.none(), required=False, empty_label="Not yet placed"
    )
    providers = ProviderCodesField(label="Providers")

    def __init__(self, *args, meetings=None, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meetings is not None:
            self.fields["meeting"].queryset = meetings
            self.fields["meeting"].label_from_instance = lambda m: f"{m.date:%-d %B %Y}"
        if providers is not None:
            self.fields["providers"].providers = providers


class DistributeForm(forms.Form):
    group_by = forms.ChoiceField(
        choices=[("sector", "By sector"), ("district", "By district")],
        widget=forms.RadioSelect,
        label="Group providers",
        initial="sector",
    )


class QuorumRequirementForm(forms.Form):
    label = forms.CharField(max_length=120, help_text="For example, A commissioner")
    role = forms.ChoiceField(
        choices=[
            ("", "Any role"),
            *[
                (r, label)
                for r, label in QSGRole.Role.choices
                if r != QSGRole.Role.REGIONAL_REVIEWER
            ],
        ],
        required=False,
        label="Met by someone in this role",
    )
    organisation_types = forms.ModelMultipleChoiceField(
        queryset=OrganisationType.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Or by someone from one of these types of organisation",
    )
    minimum = forms.IntegerField(
        min_value=1,
        max_value=20,
        initial=1,
        label="How many people",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def clean(self):
        data = super().clean()
        if (
            not data.get("role")
            and not data.get("organisation_types")
            and "role" not in self.errors
        ):
            self.add_error("role", "Choose a role, or at least one type of organisation")
        return data


class ActionFilterForm(forms.Form):
    is_filter_form = True
    qsg = forms.ModelChoiceField(
        queryset=None, required=False, empty_label=say_lazy("All QSGs"), label=say_lazy("QSG")
    )
    owner_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Any organisation",
        label="Owner organisation",
    )
    status = forms.ChoiceField(
        choices=[("open", "Open or in progress"), ("", "Any status"), *Action.Status.choices],
        required=False,
    )
    overdue = forms.BooleanField(required=False, label="Overdue only")
    mine = forms.BooleanField(required=False, label="My organisation's actions")

    def __init__(self, *args, qsgs=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qsg"].queryset = qsgs
        if organisations is not None:
            self.fields["owner_organisation"].queryset = organisations
