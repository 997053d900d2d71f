"""Local reports to the region, regional recommendations and assurance returns (annex A).

Data and constraints only. Writes go through `surveillance.regional.services`; reads of
protected rows go through `surveillance.regional.access`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qsg.models import QSG, Provider
from qsg.vocabulary import say

__all__ = [
    "AssuranceAnswer",
    "AssuranceQuestion",
    "AssuranceReturn",
    "LocalReport",
    "LocalReportComment",
    "LocalReportSection",
    "RegionalRecommendation",
]


class LocalReport(models.Model):
    """A local QSG's report to its regional QSG for a period, drafted from the agreed notes."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted to the region"

    qsg = models.ForeignKey(
        QSG,
        on_delete=models.PROTECT,
        related_name="local_reports",
        limit_choices_to={"level": "local"},
    )
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    withheld = models.JSONField(
        default=dict,
        blank=True,
        help_text="Counts of what was left out under handling rules, by kind.",
    )
    drafted_at = models.DateTimeField()
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["qsg", "-period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["qsg", "period_start", "period_end"], name="local_report_once_per_period"
            ),
            models.CheckConstraint(
                name="local_report_period_order",
                condition=Q(period_end__gte=models.F("period_start")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.qsg.name}: report to the region, {self.period_label}"

    def get_absolute_url(self) -> str:
        return reverse("surveillance:local-report-detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        return f"{self.period_start:%-d %B %Y} to {self.period_end:%-d %B %Y}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def withheld_total(self) -> int:
        return sum(int(v) for v in (self.withheld or {}).values())


class LocalReportSection(models.Model):
    """One section of a local report: drafted text the secretariat may edit, and its rows."""

    class Key(models.TextChoices):
        SUMMARY = "summary", "Summary"
        CONCERNS = "concerns", "Concerns by provider"
        CONCLUSIONS = "conclusions", "Conclusions"
        LEVELS = "levels", "Changes in surveillance level"
        ESCALATION = "escalation", "Escalation levels"
        RISK_SUMMITS = "risk_summits", "Risk summits"
        ACTIONS = "actions", "Overdue actions"
        INTELLIGENCE = "intelligence", "Intelligence shared with the region"

    report = models.ForeignKey(LocalReport, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=20, choices=Key.choices)
    position = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=10000, blank=True)
    rows = models.JSONField(
        default=list, blank=True, help_text="What the draft was built from, as plain data."
    )
    passages = models.JSONField(
        default=list,
        blank=True,
        help_text=(
            "The text as passages, each with the ids of the intelligence items it was made "
            "from (`access.section_passages`). Empty for sections drafted before passages."
        ),
    )
    edited = models.BooleanField(default=False)
    # Passages are the text's links, kept with it; the history keeps the text.
    history = HistoricalRecords(excluded_fields=["passages"])

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="report_section_once")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The section's heading in the deployment's words ("Rapid quality reviews")."""
        return say(self.get_key_display())


class LocalReportComment(models.Model):
    """The region's comment on a submitted local report, read by the local QSG. Not edited."""

    report = models.ForeignKey(LocalReport, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment on {self.report_id} by {self.author_id}"


class RegionalRecommendation(models.Model):
    """Feedback from a regional QSG to one of its local QSGs, for the local's next agenda."""

    regional_qsg = models.ForeignKey(
        QSG, on_delete=models.PROTECT, related_name="recommendations_sent"
    )
    local_qsg = models.ForeignKey(
        QSG, on_delete=models.PROTECT, related_name="recommendations_received"
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    report = models.ForeignKey(
        LocalReport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        help_text="The local report it answers, if any.",
    )
    title = models.CharField(max_length=200)
    text = models.TextField(max_length=3000)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["local_qsg", "sent_at"])]

    def __str__(self) -> str:
        return self.title


class AssuranceQuestion(models.Model):
    """A question of the annex A pro forma. Questions are data, seeded from the guidance."""

    class Applies(models.TextChoices):
        LOCAL = "local", "Local QSG"
        REGIONAL = "regional", "Regional QSG"

    applies_to = models.CharField(max_length=10, choices=Applies.choices)
    code = models.CharField(max_length=20, help_text="e.g. 1a, 1b.iv")
    section = models.CharField(max_length=100)
    text = models.CharField(max_length=300)
    evidence_hint = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["applies_to", "position"]
        constraints = [
            models.UniqueConstraint(fields=["applies_to", "code"], name="assurance_question_once")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.text}"


class AssuranceReturn(models.Model):
    """A QSG's monthly return against the pro forma: one per QSG per month."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    qsg = models.ForeignKey(QSG, on_delete=models.PROTECT, related_name="assurance_returns")
    month = models.DateField(help_text="The first day of the month the return is for.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["qsg", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["qsg", "month"], name="assurance_return_once"),
            models.CheckConstraint(name="assurance_month_first_day", condition=Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.qsg.name}: assurance return, {self.month:%B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("surveillance:assurance-return", args=[self.qsg_id, f"{self.month:%Y-%m}"])

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED


class AssuranceAnswer(models.Model):
    class Rag(models.TextChoices):
        RED = "red", "Red"
        AMBER = "amber", "Amber"
        GREEN = "green", "Green"

    assurance_return = models.ForeignKey(
        AssuranceReturn, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(AssuranceQuestion, on_delete=models.PROTECT, related_name="+")
    rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    comments = models.TextField(max_length=2000, blank=True)
    evidence = models.TextField(max_length=2000, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["assurance_return", "question__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assurance_return", "question"], name="assurance_answer_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.rag or 'not rated'}"
