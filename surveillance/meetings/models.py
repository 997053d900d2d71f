"""Meetings: schedule, business cycle, agenda, attendance, the note, conclusions and actions.

Data and constraints only. Writes go through `surveillance.meetings.services`; reads of
protected rows go through `surveillance.meetings.access`.

Labels that change with policy (conclusion categories, FOI exemption grounds, quorum
requirements) are rows, not code.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from qsg.history import HistoricalRecords
from qsg.models import QSG, Organisation, OrganisationType, Provider, QSGRole
from qsg.vocabulary import PROFILE_CHOICES

__all__ = [
    "Action",
    "ActionReminder",
    "AgendaItem",
    "AgendaItemProvider",
    "Attendance",
    "BusinessPlan",
    "Conclusion",
    "ConclusionCategory",
    "FOIExemption",
    "Meeting",
    "MeetingNote",
    "MeetingSeries",
    "NoteComment",
    "NoteEvent",
    "NotePassage",
    "NoteVersion",
    "PlanEntry",
    "QuorumRequirement",
    "RiskSummitReferral",
    "SurveillanceLogEntry",
]


class ConclusionCategory(models.Model):
    """A conclusion on a provider, e.g. "risk summit required". Labels are data; each profile
    (qsg.vocabulary) offers its own rows and those of every profile. A conclusion keeps its
    category whatever the profile offers later."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=120)
    profile = models.CharField(
        max_length=4,
        choices=PROFILE_CHOICES,
        blank=True,
        default="",
        help_text="Offered under this profile only (blank: under every profile).",
    )
    description = models.CharField(max_length=300, blank=True)
    level = models.PositiveSmallIntegerField(
        help_text="Level of surveillance: higher means closer attention (0 is no further action)."
    )
    triggers_risk_summit = models.BooleanField(default=False)
    keeps_on_agenda = models.BooleanField(
        default=False, help_text="Providers stay on every following agenda until the level falls."
    )
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "label"]
        verbose_name_plural = "conclusion categories"

    def __str__(self) -> str:
        return self.label


class FOIExemption(models.Model):
    """A Freedom of Information Act exemption ground a passage may be withheld under."""

    code = models.SlugField(max_length=20, unique=True)
    label = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "label"]
        verbose_name = "FOI exemption"

    def __str__(self) -> str:
        return self.label


class QuorumRequirement(models.Model):
    """One condition of a QSG's quorum, met by anyone present in the role or from the types.

    e.g. "The chair" (role chair), "A commissioner" (ICB types), "The CQC" (CQC type).
    """

    qsg = models.ForeignKey(QSG, on_delete=models.PROTECT, related_name="quorum_requirements")
    label = models.CharField(max_length=120)
    role = models.CharField(max_length=20, choices=QSGRole.Role.choices, blank=True)
    organisation_types = models.ManyToManyField(OrganisationType, blank=True, related_name="+")
    minimum = models.PositiveSmallIntegerField(default=1)
    sort_order = models.PositiveSmallIntegerField(default=100)
    history = HistoricalRecords(m2m_fields=[organisation_types])

    class Meta:
        ordering = ["qsg", "sort_order", "pk"]

    def __str__(self) -> str:
        return self.label


class MeetingSeries(models.Model):
    """A QSG's run of meetings generated from its cadence rule."""

    class Cadence(models.TextChoices):
        LOCAL_2013 = "local_2013", "Monthly for three meetings, then every two months"
        MONTHLY = "monthly", "Monthly"
        BIMONTHLY = "bimonthly", "Every two months"
        QUARTERLY = "quarterly", "Quarterly"

    qsg = models.ForeignKey(QSG, on_delete=models.PROTECT, related_name="meeting_series")
    title = models.CharField(max_length=200)
    cadence = models.CharField(max_length=20, choices=Cadence.choices)
    first_date = models.DateField()
    until = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    venue = models.CharField(max_length=300, blank=True)
    dial_in = models.CharField(max_length=300, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["qsg", "first_date"]
        verbose_name_plural = "meeting series"
        constraints = [
            models.CheckConstraint(
                name="series_until_after_first", condition=Q(until__gte=models.F("first_date"))
            ),
            models.CheckConstraint(
                name="series_end_after_start", condition=Q(end_time__gt=models.F("start_time"))
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    qsg = models.ForeignKey(QSG, on_delete=models.PROTECT, related_name="meetings")
    series = models.ForeignKey(
        MeetingSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=300, blank=True)
    dial_in = models.CharField(max_length=300, blank=True, verbose_name="dial-in details")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE: bumped on change."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["qsg", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                name="meeting_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.starts_at:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("surveillance:meeting-detail", args=[self.pk])

    @property
    def date(self) -> dt.date:
        from django.utils import timezone

        return timezone.localtime(self.starts_at).date()


class BusinessPlan(models.Model):
    """A QSG's plan for a period: which providers and themes each meeting considers."""

    qsg = models.ForeignKey(QSG, on_delete=models.PROTECT, related_name="business_plans")
    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["qsg", "-period_start"]
        constraints = [
            models.CheckConstraint(
                name="plan_period_order", condition=Q(period_end__gt=models.F("period_start"))
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveillance:plan-detail", args=[self.pk])


class PlanEntry(models.Model):
    """A group of providers (by sector or district) or a thematic discussion, for one meeting."""

    class Kind(models.TextChoices):
        PROVIDERS = "providers", "Group of providers"
        THEME = "theme", "Thematic discussion"

    plan = models.ForeignKey(BusinessPlan, on_delete=models.CASCADE, related_name="entries")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="plan_entries"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    providers = models.ManyToManyField(Provider, blank=True, related_name="plan_entries")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[providers])

    class Meta:
        ordering = ["plan", "meeting__starts_at", "pk"]
        verbose_name_plural = "plan entries"

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        STANDARD = "standard", "Standing item"
        MATTERS_ARISING = "matters_arising", "Matters arising"
        PROVIDER = "provider", "Provider discussion"
        THEME = "theme", "Thematic discussion"
        INTELLIGENCE = "intelligence", "Soft intelligence"
        SIGNALS = "signals", "Data signals"
        REPORT = "report", "Report"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.STANDARD)
    description = models.TextField(blank=True, max_length=2000)
    presenter = models.CharField(
        max_length=150, blank=True, help_text="e.g. Area team director, or All"
    )
    presenter_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    duration_minutes = models.PositiveSmallIntegerField(default=10)
    papers = models.TextField(
        blank=True,
        max_length=1000,
        help_text="One paper a line, e.g. Paper B: CQC inspection summary",
    )
    is_confidential = models.BooleanField(default=False)
    providers = models.ManyToManyField(
        Provider, through="AgendaItemProvider", blank=True, related_name="agenda_items"
    )
    source = models.CharField(
        max_length=40, blank=True, help_text="Which agenda source proposed it."
    )
    source_key = models.CharField(max_length=80, blank=True)
    # Intelligence items discussed under this item. Holds ids only until the intelligence
    # models and this branch meet; see surveillance/agenda_sources.py.
    intelligence_item_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "source", "source_key"],
                condition=~Q(source_key=""),
                name="agenda_item_source_once",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def paper_list(self) -> list[str]:
        return [p.strip() for p in self.papers.splitlines() if p.strip()]


class AgendaItemProvider(models.Model):
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agenda_item", "provider"], name="agenda_item_provider_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} on item {self.agenda_item_id}"


class Attendance(models.Model):
    """A person at (or sending apologies to) a meeting; several rows if they left and came back."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Apologies"

    class Capacity(models.TextChoices):
        CHAIR = "chair", "Chair"
        MEMBER = "member", "Member"
        SECRETARIAT = "secretariat", "Secretariat"
        IN_ATTENDANCE = "in_attendance", "In attendance"
        OBSERVER = "observer", "Observer"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=150)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    capacity = models.CharField(max_length=20, choices=Capacity.choices, default=Capacity.MEMBER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PRESENT)
    present_from = models.TimeField(null=True, blank=True)
    present_to = models.TimeField(null=True, blank=True)
    deputy_for = models.CharField(
        max_length=150, blank=True, help_text="Name of the member this person deputises for."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "status", "organisation__name", "name", "present_from"]
        constraints = [
            models.CheckConstraint(
                name="attendance_to_after_from",
                condition=Q(present_to__isnull=True)
                | Q(present_from__isnull=True)
                | Q(present_to__gt=models.F("present_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @property
    def minutes(self) -> int | None:
        if self.status != self.Status.PRESENT or not self.present_from or not self.present_to:
            return None
        start = dt.datetime.combine(dt.date.min, self.present_from)
        end = dt.datetime.combine(dt.date.min, self.present_to)
        return int((end - start).total_seconds() // 60)

    @property
    def duration_text(self) -> str:
        from surveillance.meetings.rules import format_minutes

        return format_minutes(self.minutes)


class MeetingNote(models.Model):
    """The record of a meeting. Its content is the passages, conclusions and actions."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CIRCULATED = "circulated", "Circulated for comment"
        AGREED = "agreed", "Agreed"
        PUBLISHED = "published", "Published to members"

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="note")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1)
    revision = models.PositiveIntegerField(
        default=0, help_text="Bumped on every change to the content; keys cached PDFs."
    )
    revision_reason = models.CharField(max_length=500, blank=True)
    circulated_at = models.DateTimeField(null=True, blank=True)
    comments_by = models.DateField(null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Note of {self.meeting}"

    @property
    def is_locked(self) -> bool:
        return self.status in {self.Status.AGREED, self.Status.PUBLISHED}


class NotePassage(models.Model):
    """A passage of the record of discussion under an agenda item, with its FOI marking."""

    note = models.ForeignKey(MeetingNote, on_delete=models.PROTECT, related_name="passages")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="passages")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField(max_length=5000)
    foi_exemption = models.ForeignKey(
        FOIExemption,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set to mark the passage confidential: withheld under this exemption.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agenda_item__position", "position", "pk"]

    def __str__(self) -> str:
        return f"Passage {self.position} of item {self.agenda_item_id}"

    @property
    def is_confidential(self) -> bool:
        return self.foi_exemption_id is not None


class Conclusion(models.Model):
    """The group's conclusion on one provider discussed at the meeting."""

    note = models.ForeignKey(MeetingNote, on_delete=models.PROTECT, related_name="conclusions")
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="meeting_conclusions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="conclusions"
    )
    category = models.ForeignKey(ConclusionCategory, on_delete=models.PROTECT, related_name="+")
    key_issues = models.TextField(max_length=3000)
    rationale = models.TextField(max_length=3000)
    dissent = models.TextField(
        max_length=3000,
        blank=True,
        help_text="Who disagreed and why, if consensus was not reached.",
    )
    chair_decision = models.TextField(max_length=3000, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    foi_exemption = models.ForeignKey(
        FOIExemption, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    intelligence_item_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["note", "provider__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["note", "provider"], name="conclusion_once_per_provider"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider.name}: {self.category.label}"

    @property
    def is_confidential(self) -> bool:
        return self.foi_exemption_id is not None

    @property
    def awaits_chair(self) -> bool:
        return bool(self.dissent.strip()) and not self.chair_decision.strip()


class Action(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "No longer needed"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    qsg = models.ForeignKey(QSG, on_delete=models.PROTECT, related_name="meeting_actions")
    note = models.ForeignKey(
        MeetingNote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        help_text="The note that agreed it; none for an action transferred from elsewhere.",
    )
    transferred_from = models.CharField(
        max_length=120,
        blank=True,
        help_text="Where the action was transferred from, e.g. 'Risk summit RS-2026-0003, "
        "action 2'. Such actions are confidential, as risk summits are.",
    )
    transferred_from_url = models.CharField(max_length=300, blank=True)
    number = models.PositiveIntegerField(help_text="Numbered within the QSG: A1, A2, ...")
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting_actions"
    )
    conclusion = models.ForeignKey(
        Conclusion, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        help_text="The agenda item whose discussion it arose from.",
    )
    description = models.TextField(max_length=2000)
    # The intelligence items it was made from: its conclusion's and its agenda item's, kept when
    # saved (`services.actions.action_save`). Its words follow them (`intelligence.access.inherit`).
    intelligence_item_ids = models.JSONField(default=list, blank=True)
    owner_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    progress_note = models.CharField(max_length=1000, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    foi_exemption = models.ForeignKey(
        FOIExemption, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_date", "number"]
        indexes = [models.Index(fields=["qsg", "status", "due_date"])]
        constraints = [
            models.UniqueConstraint(fields=["qsg", "number"], name="action_number_per_qsg"),
            models.CheckConstraint(
                name="action_from_a_note_or_transferred",
                condition=Q(note__isnull=False) | ~Q(transferred_from=""),
            ),
            models.UniqueConstraint(
                fields=["transferred_from"],
                condition=~Q(transferred_from=""),
                name="action_transferred_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.description[:60]}"

    @property
    def reference(self) -> str:
        return f"A{self.number}"

    @property
    def is_confidential(self) -> bool:
        return self.foi_exemption_id is not None or bool(self.transferred_from)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ActionReminder(models.Model):
    """A reminder sent: one per action per kind, whatever the beat schedule does."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due in 7 days"
        OVERDUE = "overdue", "Overdue"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "kind"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder for action {self.action_id}"


class NoteComment(models.Model):
    note = models.ForeignKey(MeetingNote, on_delete=models.PROTECT, related_name="comments")
    version = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(max_length=3000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment by {self.author_id} on version {self.version}"


class NoteVersion(models.Model):
    """An agreed version of the note, frozen: every version stays readable."""

    note = models.ForeignKey(MeetingNote, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    reason = models.CharField(
        max_length=500, blank=True, help_text="Why this version replaced the last."
    )
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField()
    was_published = models.BooleanField(default=False)

    class Meta:
        ordering = ["note", "number"]
        constraints = [models.UniqueConstraint(fields=["note", "number"], name="note_version_once")]

    def __str__(self) -> str:
        return f"Version {self.number} of note {self.note_id}"


class NoteEvent(models.Model):
    """The workflow's own audit trail: who moved the note (or meeting) on, when and why."""

    class Verb(models.TextChoices):
        CREATED = "created", "Started the note"
        EDITED = "edited", "Changed the note"
        CIRCULATED = "circulated", "Circulated the note for comment"
        COMMENTED = "commented", "Commented"
        DISSENT_SETTLED = "dissent_settled", "Settled a disagreement"
        AGREED = "agreed", "Agreed the note"
        REVISED = "revised", "Opened a new version"
        PUBLISHED = "published", "Published the note to members"
        PDF_REQUESTED = "pdf_requested", "Asked for the PDF note"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=20, choices=Verb.choices)
    version = models.PositiveIntegerField(default=1)
    detail = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_verb_display()} (version {self.version})"


class SurveillanceLogEntry(models.Model):
    """A provider's level of surveillance as concluded at an agreed meeting note, or as decided
    when a risk summit about it closed (then without a meeting, marked confidential, since a
    summit is visible only to its participants, the secretariat, the chair and the region)."""

    class Source(models.TextChoices):
        MEETING = "meeting", "Meeting note"
        RISK_SUMMIT = "risk_summit", "Risk summit closure"

    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="surveillance_log"
    )
    qsg = models.ForeignKey(QSG, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.MEETING)
    source_reference = models.CharField(
        max_length=40, blank=True, help_text="The risk summit's reference, for summit closures."
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    conclusion = models.ForeignKey(
        Conclusion,
        on_delete=models.PROTECT,
        related_name="log_entries",
        null=True,
        blank=True,
    )
    category = models.ForeignKey(ConclusionCategory, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField()
    rationale = models.TextField(blank=True)
    is_confidential = models.BooleanField(default=False)
    decided_on = models.DateField()
    note_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["provider", "-decided_on", "-pk"]
        indexes = [models.Index(fields=["provider", "-decided_on"])]
        constraints = [
            models.UniqueConstraint(fields=["provider", "meeting"], name="log_once_per_meeting"),
            models.UniqueConstraint(
                fields=["provider", "source_reference"],
                condition=models.Q(source="risk_summit"),
                name="log_once_per_summit",
            ),
            models.CheckConstraint(
                condition=models.Q(source="risk_summit") | models.Q(meeting__isnull=False),
                name="log_meeting_entries_have_a_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id}: level {self.level} on {self.decided_on}"


class RiskSummitReferral(models.Model):
    """A "risk summit required" conclusion waiting for the risk summits work to pick it up."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    qsg = models.ForeignKey(QSG, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="+")
    conclusion = models.ForeignKey(Conclusion, on_delete=models.PROTECT, related_name="referrals")
    rationale = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "conclusion"], name="referral_once")
        ]

    def __str__(self) -> str:
        return f"Risk summit referral: {self.provider}"
