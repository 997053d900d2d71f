"""The decision form. It validates input; `services.decision_record` does the writing and checks
the rules (exit criteria on entry, de-escalation only when they are met, PID screening)."""

from __future__ import annotations

from django import forms

from dashboard.models import Indicator, SpcSeries
from qsg.forms import TokenForm
from qsg.forms_nhs import NHSDateField
from qsg.models import Organisation, Provider
from surveillance.escalation.models import EscalationRecord, ExitCriterion, Level
from surveillance.intelligence.access import items_for
from surveillance.meetings.access import meetings_for
from surveillance.meetings.models import Meeting

CRITERIA_SLOTS = 3
PID_HELP = "Do not include patient-identifiable information."


class DecisionForm(TokenForm):
    service = forms.CharField(
        max_length=200,
        required=False,
        label="Service (optional)",
        help_text="Name a service to place only that service at a level. Leave blank for the "
        "whole provider.",
    )
    level = forms.ChoiceField(
        choices=Level.choices, widget=forms.RadioSelect, label="Level of quality risk management"
    )
    decided_on = NHSDateField(label="Date of the decision", help_text="For example 15 3 2026")
    group = forms.ModelChoiceField(queryset=None, label="Group that decided", empty_label=None)
    meeting = forms.ModelChoiceField(
        queryset=Meeting.objects.none(),
        required=False,
        label="Meeting (optional)",
        empty_label="Not at a meeting",
    )
    decided_by = forms.CharField(
        max_length=200,
        label="Who decided",
        help_text="For example: the group by consensus, or the chair where consensus failed.",
    )
    rationale = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Rationale",
        help_text=f"Why the group decided this. {PID_HELP} 5,000 characters at most.",
    )
    lead_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        required=False,
        label="Lead organisation",
        empty_label="Choose the lead organisation",
        help_text="Needed for enhanced surveillance (usually the ICB) and intensive support "
        "(usually the NHS England region).",
    )
    review_date = NHSDateField(
        required=False, label="Review date", help_text="Needed above routine surveillance."
    )
    improvement_plan = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Improvement plan (optional)",
        help_text=f"{PID_HELP} 5,000 characters at most.",
    )
    intelligence_item_ids = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Intelligence considered (optional)",
    )
    signal_indicators = forms.ModelMultipleChoiceField(
        queryset=Indicator.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Dashboard signals considered (optional)",
    )
    inspection_findings = forms.CharField(
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Inspection findings considered (optional)",
        help_text=f"For example a CQC warning notice or rating. {PID_HELP}",
    )
    criteria_met = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Exit criteria confirmed met",
        help_text="Coming down a level needs every exit criterion of the level left to be met.",
    )

    def __init__(self, *args, provider: Provider, record: EscalationRecord | None, user, **kw):
        super().__init__(*args, **kw)
        self.provider, self.record = provider, record
        groups = [provider.qsg] + ([provider.qsg.regional_qsg] if provider.qsg.regional_qsg else [])
        from qsg.models import QSG

        self.fields["group"].queryset = QSG.objects.filter(pk__in=[g.pk for g in groups])
        self.fields["group"].initial = provider.qsg.pk
        self.fields["meeting"].queryset = (
            meetings_for(user).filter(qsg__in=groups).select_related("qsg").order_by("-starts_at")
        )
        self.fields["lead_organisation"].queryset = Organisation.objects.filter(
            is_active=True
        ).order_by("name")
        items = items_for(user).filter(providers=provider).order_by("-pk")[:30]
        self.fields["intelligence_item_ids"].choices = [(i.pk, str(i)) for i in items]
        with_data = SpcSeries.objects.filter(provider=provider, n_points__gt=0).values(
            "indicator_id"
        )
        self.fields["signal_indicators"].queryset = Indicator.objects.filter(pk__in=with_data)
        if record is not None:
            del self.fields["service"]
            self.fields["level"].initial = record.level
            self.fields["lead_organisation"].initial = record.lead_organisation_id
            open_rows = record.criteria.filter(status=ExitCriterion.Status.OPEN).order_by("pk")
            self.fields["criteria_met"].choices = [
                (c.pk, f"{c.text} ({c.get_level_display().lower()})") for c in open_rows
            ]
        if not self.fields["criteria_met"].choices:
            del self.fields["criteria_met"]
        if not self.fields["intelligence_item_ids"].choices:
            del self.fields["intelligence_item_ids"]
        if not with_data.exists():
            del self.fields["signal_indicators"]
        indicators = Indicator.objects.filter(is_active=True).order_by("code")
        for n in range(1, CRITERIA_SLOTS + 1):
            self.fields[f"criterion_{n}_text"] = forms.CharField(
                max_length=500,
                required=False,
                label=f"New exit criterion {n} (optional)",
                help_text="Agreed on entering a level. A statement to confirm, or with an "
                "indicator below, a measure the dashboard tracks."
                if n == 1
                else "",
            )
            self.fields[f"criterion_{n}_indicator"] = forms.ModelChoiceField(
                queryset=indicators,
                required=False,
                label=f"Indicator for criterion {n} (optional)",
                empty_label="None: a statement to confirm",
            )
            self.fields[f"criterion_{n}_comparison"] = forms.ChoiceField(
                choices=[("", "Not a measure"), *ExitCriterion.Comparison.choices],
                required=False,
                label=f"Criterion {n}: the value must be",
            )
            self.fields[f"criterion_{n}_target"] = forms.FloatField(
                required=False, label=f"Criterion {n}: target", min_value=-1e9, max_value=1e9
            )
            self.fields[f"criterion_{n}_months"] = forms.IntegerField(
                required=False,
                min_value=1,
                max_value=24,
                label=f"Criterion {n}: months in a row",
                help_text="How long the measure must meet the target (3 if blank).",
            )

    def criteria(self) -> list[dict]:
        out = []
        data = self.cleaned_data
        for n in range(1, CRITERIA_SLOTS + 1):
            text = (data.get(f"criterion_{n}_text") or "").strip()
            indicator = data.get(f"criterion_{n}_indicator")
            if not text and indicator is None:
                continue
            out.append(
                {
                    "slot": n,
                    "text": text,
                    "indicator": indicator,
                    "comparison": data.get(f"criterion_{n}_comparison") or "",
                    "target": data.get(f"criterion_{n}_target"),
                    "months": data.get(f"criterion_{n}_months") or 3,
                }
            )
        return out

    def service_kwargs(self) -> dict:
        """What the form gives the service (without the criteria slots)."""
        data = self.cleaned_data
        out = {
            k: data.get(k)
            for k in (
                "level",
                "decided_on",
                "group",
                "meeting",
                "decided_by",
                "rationale",
                "lead_organisation",
                "review_date",
            )
        }
        out["improvement_plan"] = data.get("improvement_plan") or ""
        out["inspection_findings"] = data.get("inspection_findings") or ""
        out["intelligence_item_ids"] = data.get("intelligence_item_ids") or []
        out["signal_indicators"] = list(data.get("signal_indicators") or [])
        out["criteria_met"] = data.get("criteria_met") or []
        out["exit_criteria"] = self.criteria()
        if self.record is None:
            out["service"] = data.get("service") or ""
        return out


# The service names the n-th new criterion "exit_criteria_<n>"; the form's slot is its text box.
RENAME = {f"exit_criteria_{n}": f"criterion_{n}_text" for n in range(1, CRITERIA_SLOTS + 1)}
RENAME["exit_criteria"] = "criterion_1_text"


class ProposalForm(forms.Form):
    """A level change proposed with a conclusion; the note's agreement enacts it."""

    level = forms.ChoiceField(
        choices=[("none", "No change to the level"), *Level.choices],
        widget=forms.RadioSelect,
        label="Level the group proposes",
        help_text="Coming down needs the exit criteria of the level left confirmed met first, "
        "by a decision on the escalation record.",
    )
    rationale = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Rationale (optional)",
        help_text=f"The conclusion's rationale if left blank. {PID_HELP}",
    )
    lead_organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
        required=False,
        label="Lead organisation",
        empty_label="Choose the lead organisation",
    )
    review_date = NHSDateField(
        required=False, label="Review date", help_text="Needed above routine surveillance."
    )
    exit_criteria_1 = forms.CharField(
        max_length=500, required=False, label="Exit criterion 1 (on entering a higher level)"
    )
    exit_criteria_2 = forms.CharField(max_length=500, required=False, label="Exit criterion 2")
