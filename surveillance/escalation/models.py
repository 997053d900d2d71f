"""Escalation: a provider's (or one of its services') level of quality risk management.

The 2022 National Quality Board guidance (*Quality Risk Response and Escalation in Integrated
Care Systems*) puts every provider at one of three levels: routine quality surveillance,
enhanced surveillance, intensive support. A move up or down is a decision on record (who
decided, where, why, on what evidence), with a lead organisation, a review date, an improvement
plan and exit criteria agreed when the level is entered. The current level is only ever set by
a decision: there is no other write to it.

Data and constraints only. Writes go through `surveillance.escalation.services`; reads of
protected rows go through `surveillance.escalation.access`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from dashboard.models import Indicator
from qsg.models import QSG, Organisation, Provider
from surveillance.meetings.models import Conclusion, Meeting

__all__ = ["EscalationDecision", "EscalationProposal", "EscalationRecord", "ExitCriterion"]


class Level(models.TextChoices):
    ROUTINE = "routine", "Routine quality surveillance"
    ENHANCED = "enhanced", "Enhanced surveillance"
    INTENSIVE = "intensive", "Intensive support"


RANK = {Level.ROUTINE: 0, Level.ENHANCED: 1, Level.INTENSIVE: 2}


def rank(level: str) -> int:
    return RANK[Level(level)]


class EscalationRecord(models.Model):
    """One provider (or one named service of it) and its current level, kept by one group."""

    Level = Level

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="escalations")
    service = models.CharField(
        max_length=200, blank=True, help_text="A named service, or blank for the whole provider."
    )
    qsg = models.ForeignKey(
        QSG,
        on_delete=models.PROTECT,
        related_name="escalations",
        help_text="The group that keeps the record (the provider's lead local QSG).",
    )
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.ROUTINE)
    level_since = models.DateField()
    lead_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_date = models.DateField(null=True, blank=True)
    improvement_plan = models.TextField(max_length=5000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["provider__name", "service"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "service"], name="escalation_once_per_provider_service"
            )
        ]
        indexes = [models.Index(fields=["qsg", "level"])]

    def __str__(self) -> str:
        name = self.provider.name
        return f"{name}, {self.service}" if self.service else name

    def get_absolute_url(self) -> str:
        return reverse("surveillance:escalation-detail", args=[self.pk])

    @property
    def rank(self) -> int:
        return rank(self.level)


class EscalationDecision(models.Model):
    """A decision on record moving (or keeping) a record at a level."""

    class Source(models.TextChoices):
        GROUP = "group", "Group decision"
        RAPID_REVIEW = "rapid_review", "Outcome of a rapid quality review"

    record = models.ForeignKey(EscalationRecord, on_delete=models.PROTECT, related_name="decisions")
    level_from = models.CharField(max_length=10, choices=Level.choices, blank=True)
    level_to = models.CharField(max_length=10, choices=Level.choices)
    decided_on = models.DateField()
    group = models.ForeignKey(
        QSG, on_delete=models.PROTECT, related_name="+", help_text="The group that decided."
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.CharField(
        max_length=200, help_text="Who decided: the group by consensus, the chair, ..."
    )
    rationale = models.TextField(max_length=5000)
    lead_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_date = models.DateField(null=True, blank=True)
    improvement_plan = models.TextField(max_length=5000, blank=True)
    intelligence_item_ids = models.JSONField(default=list, blank=True)
    signal_indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="+", help_text="Dashboard signals considered."
    )
    inspection_findings = models.TextField(max_length=3000, blank=True)
    source = models.CharField(max_length=14, choices=Source.choices, default=Source.GROUP)
    source_reference = models.CharField(max_length=40, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[signal_indicators])

    class Meta:
        ordering = ["record", "decided_on", "pk"]
        indexes = [models.Index(fields=["record", "-decided_on"])]

    def __str__(self) -> str:
        return f"{self.record}: {self.get_level_to_display()} on {self.decided_on}"

    @property
    def direction(self) -> str:
        if not self.level_from:
            return "placed"
        if rank(self.level_to) > rank(self.level_from):
            return "escalated"
        if rank(self.level_to) < rank(self.level_from):
            return "de-escalated"
        return "reviewed"


class ExitCriterion(models.Model):
    """A condition agreed when a level is entered; the record leaves the level when all are met.

    A statement is confirmed by a decision; a measure is tied to a dashboard indicator with a
    target and a period (months in a row), and the dashboard shows its progress."""

    class Kind(models.TextChoices):
        STATEMENT = "statement", "A statement to confirm"
        MEASURE = "measure", "A measure on a dashboard indicator"

    class Comparison(models.TextChoices):
        AT_LEAST = "gte", "At least"
        AT_MOST = "lte", "At most"

    class Status(models.TextChoices):
        OPEN = "open", "Not yet met"
        MET = "met", "Met"
        SUPERSEDED = "superseded", "Superseded"

    record = models.ForeignKey(EscalationRecord, on_delete=models.PROTECT, related_name="criteria")
    agreed_in = models.ForeignKey(
        EscalationDecision, on_delete=models.PROTECT, related_name="criteria_agreed"
    )
    level = models.CharField(max_length=10, choices=Level.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STATEMENT)
    text = models.CharField(max_length=500)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comparison = models.CharField(max_length=3, choices=Comparison.choices, blank=True)
    target = models.FloatField(null=True, blank=True)
    months = models.PositiveSmallIntegerField(
        default=3, help_text="Months in a row the measure must meet its target."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    met_in = models.ForeignKey(
        EscalationDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="criteria_confirmed",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["record", "pk"]
        verbose_name_plural = "exit criteria"
        constraints = [
            models.CheckConstraint(
                name="exit_criterion_measure_complete",
                condition=Q(kind="statement")
                | Q(indicator__isnull=False, target__isnull=False, comparison__in=["gte", "lte"]),
            ),
            models.CheckConstraint(
                name="exit_criterion_months_range", condition=Q(months__gte=1, months__lte=24)
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_measure(self) -> bool:
        return self.kind == self.Kind.MEASURE


class EscalationProposal(models.Model):
    """A level change proposed with a meeting's conclusion on a provider; the note's agreement
    enacts it as a decision (meeting, group and date of the meeting)."""

    conclusion = models.OneToOneField(
        Conclusion, on_delete=models.PROTECT, related_name="escalation_proposal"
    )
    level = models.CharField(max_length=10, choices=Level.choices)
    rationale = models.TextField(max_length=5000, blank=True)
    lead_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_date = models.DateField(null=True, blank=True)
    exit_criteria = models.JSONField(default=list, blank=True, help_text="Statements, as text.")
    enacted = models.ForeignKey(
        EscalationDecision, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.conclusion.provider}: {self.get_level_display()} (proposed)"
