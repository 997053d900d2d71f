"""The form that opens a rapid quality review: the risk summit's trigger form with what the 2022
guidance adds (who convenes it, what triggered it, the clock, how often it meets)."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from qsg.models import Organisation

from .forms import TriggerForm
from .models import RiskSummit


class RapidReviewForm(TriggerForm):
    service_fields = (
        "providers",
        "concern",
        "trigger",
        "source_detail",
        "source_item",
        "judged_at",
        "clock_hours",
        "convened_by",
        "meeting_interval_days",
        "involves_adult_safeguarding",
        "involves_child_safeguarding",
    )
    heading = "Open a {term}"
    intro = (
        "A {term} is convened by an ICB or an NHS England region when a member's concern, an "
        "escalation level decision or a regulator's action (a warning notice, conditions, a "
        "rating) calls for one. It meets again until the exit criteria are met, and its outcomes "
        "set the provider's escalation level."
    )
    more_providers = "The review is about more than one provider"
    action = "Open the {term}"
    done = "{Term} {reference} has been opened. The participants have been told."
    trigger = forms.ChoiceField(
        choices=RiskSummit.Trigger.choices,
        widget=forms.RadioSelect,
        label="What triggered the review?",
        error_messages={"required": "Choose what triggered the review"},
    )
    convened_by = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Who convenes the review?",
        empty_label="Choose the ICB or NHS England region",
        error_messages={"required": "Choose the ICB or NHS England region that convenes it"},
    )
    clock_hours = forms.IntegerField(
        min_value=1,
        max_value=168,
        initial=72,
        label="First meeting within (hours)",
        help_text="From the judgement. 1 to 168 hours.",
    )
    meeting_interval_days = forms.IntegerField(
        min_value=7,
        max_value=92,
        initial=28,
        label="Meets again every (days)",
        help_text="Until the exit criteria are met. 7 to 92 days; 28 is monthly.",
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, providers=providers, **kwargs)
        del self.fields["source"]
        del self.fields["urgency"]
        self.fields["concern"].label = "What is the concern or the action that triggered it?"
        self.fields[
            "judged_at_date"
        ].help_text = "When the trigger was judged to need a review. For example, 15 3 2026"
        self.fields["convened_by"].queryset = Organisation.objects.filter(
            Q(type__is_commissioner=True) | Q(type__is_nhs_england=True), is_active=True
        ).order_by("name")
