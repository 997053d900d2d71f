"""Risk summits: from trigger to closure, on the clock.

Data and constraints only. Writes go through `risksummits.services`; who sees what is decided in
`risksummits.access`. The seam to the meetings work in `surveillance` is `risksummits.handoff`.

A summit is about one or more providers in the footprint of one local QSG. Organisations take
part (`Participant`) through named people (`Representative`); a person linked to a summit sees
it, and nothing else follows from the link. A participant organisation that is not a member of
the QSG is a guest; a participant may be limited to what is marked as shared with the provider.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from qsg import vocabulary
from qsg.models import QSG, Job, Organisation, OrganisationType, Provider


class RingHolderRule(models.Model):
    """Which kind of organisation is proposed to hold the ring for a provider of a sector.

    Data, not code: e.g. acute NHS trust -> NHS Trust Development Authority (2013) or NHS
    Improvement; primary care -> the NHS England area team. Where the provider's QSG has no
    member of that type, the QSG's convening organisation (NHS England) is proposed.
    """

    sector = models.CharField(max_length=20, choices=Provider.Sector.choices, unique=True)
    organisation_types = models.ManyToManyField(
        OrganisationType,
        related_name="+",
        help_text="In order of preference: the first type with a member in the QSG is proposed.",
        through="RingHolderRuleType",
    )
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["sector"]

    def __str__(self) -> str:
        return f"Ring-holder rule for {self.get_sector_display()}"


class RingHolderRuleType(models.Model):
    rule = models.ForeignKey(RingHolderRule, on_delete=models.CASCADE, related_name="choices")
    organisation_type = models.ForeignKey(OrganisationType, on_delete=models.PROTECT)
    preference = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["rule", "preference"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "organisation_type"], name="ringholder_rule_type_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_type_id} ({self.preference})"


class RiskSummit(models.Model):
    class Source(models.TextChoices):
        QSG_INTELLIGENCE = "qsg_intelligence", "QSG intelligence"
        WHISTLEBLOWER = "whistleblower", "Whistleblower"
        PATIENT = "patient", "Patient or carer"
        UNDERCOVER = "undercover", "Undercover reporter"
        MEDIA = "media", "Local or national media"
        INSPECTION = "inspection", "Inspection"
        OTHER = "other", "Other"

    class Urgency(models.TextChoices):
        IMMEDIATE = "immediate", "Immediate: meet within 24 hours"
        URGENT = "urgent", "Urgent: meet within 48 hours"

    URGENCY_HOURS = {Urgency.IMMEDIATE: 24, Urgency.URGENT: 48}

    class Origin(models.TextChoices):
        DIRECT = "direct", "Triggered directly by a member"
        MEETING = "meeting", "A QSG meeting concluded a risk summit was required"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class RingHolderStatus(models.TextChoices):
        NONE = "none", "Not yet proposed"
        PROPOSED = "proposed", "Proposed, awaiting agreement"
        AGREED = "agreed", "Agreed by participants"
        DEFAULTED = "defaulted", "Set by default (NHS England)"

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    class ProfessionalReferral(models.TextChoices):
        NONE = "none", "Considered: no referral needed"
        MADE = "made", "Referral made to a professional regulator"

    class Outcome(models.TextChoices):
        ASSURED = "assured", "Concerns addressed: the provider is safe"
        IMPROVING = "improving", "Improving: continued surveillance by the QSG"
        REGULATORY_ACTION = "regulatory_action", "Regulatory action taken"
        SERVICE_CHANGED = "service_changed", "Service closed, suspended or transferred"
        OTHER = "other", "Other outcome"

    class LevelAfter(models.TextChoices):
        # Codes match the meetings' conclusion categories (surveillance), so that the level can
        # be recorded on the provider's surveillance timeline.
        REGULAR_REVIEW = "regular-review", "Keep under regular review"
        FURTHER_INFORMATION = "further-information", "Further information required"
        NO_FURTHER_ACTION = "no-further-action", "No further action"

    class Kind(models.TextChoices):
        # One model and state machine for both faces: the 2013 risk summit and the 2022 rapid
        # quality review (National Quality Board, 2022). The labels follow the kind.
        RISK_SUMMIT = "risk_summit", "Risk summit"
        RAPID_REVIEW = "rapid_review", "Rapid quality review"

    class Trigger(models.TextChoices):
        CONCERN = "concern", "A member's concern"
        LEVEL_DECISION = "level_decision", "An escalation level decision"
        REGULATOR_ACTION = (
            "regulator_action",
            "A regulator's action (warning notice, conditions, rating)",
        )

    SETTLED_RING = (RingHolderStatus.AGREED, RingHolderStatus.DEFAULTED)

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.RISK_SUMMIT)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, blank=True)
    convened_by = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="A rapid quality review: the ICB or NHS England region that convenes it.",
    )
    meeting_interval_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="A rapid quality review meets again every this many days until its exit "
        "criteria are met.",
    )

    reference = models.CharField(max_length=20, unique=True)
    qsg = models.ForeignKey(QSG, on_delete=models.PROTECT, related_name="risk_summits")
    providers = models.ManyToManyField(
        Provider, related_name="risk_summits", through="SummitProvider"
    )
    concern = models.TextField()
    source = models.CharField(max_length=20, choices=Source.choices)
    source_detail = models.CharField(
        max_length=200,
        blank=True,
        help_text="A reference to where the concern came from, such as an intelligence item.",
    )
    # Where it came from, as links (issue 14): existing summits keep their free text and no link.
    source_item = models.ForeignKey(
        "surveillance.IntelligenceItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The intelligence item that raised the concern, if one did.",
    )
    source_agenda_item = models.ForeignKey(
        "surveillance.AgendaItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The QSG agenda item whose discussion raised the concern, if one did.",
    )
    # The intelligence items its concern and source draw on: the source item, the agenda item's
    # and the referring conclusion's. Their words follow them (`intelligence.access.inherit`).
    intelligence_item_ids = models.JSONField(default=list, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    clock_hours = models.PositiveSmallIntegerField(
        help_text="Hours from the judgement within which the relevant members first meet."
    )
    judged_at = models.DateTimeField(help_text="When the judgement was made. Starts the clock.")
    involves_adult_safeguarding = models.BooleanField(default=False)
    involves_child_safeguarding = models.BooleanField(default=False)

    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.DIRECT)
    referral_id = models.PositiveBigIntegerField(
        null=True, blank=True, unique=True, help_text="The meetings' referral this came from."
    )
    origin_meeting_id = models.PositiveBigIntegerField(null=True, blank=True)
    origin_label = models.CharField(max_length=300, blank=True)

    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    triggering_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    triggered_at = models.DateTimeField()

    ring_holder = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ring_holder_status = models.CharField(
        max_length=10, choices=RingHolderStatus.choices, default=RingHolderStatus.NONE
    )
    ring_holder_basis = models.CharField(max_length=300, blank=True)
    ring_holder_decided_at = models.DateTimeField(null=True, blank=True)
    ring_holder_window_hours = models.PositiveSmallIntegerField(
        default=24,
        help_text="If the participants have not agreed a ring-holder within this many hours, "
        "NHS England's team for the area holds the ring by default.",
    )

    cqc_judgement_due = models.BooleanField(default=True)
    professional_referral = models.CharField(
        max_length=10, choices=ProfessionalReferral.choices, blank=True
    )
    professional_regulator = models.CharField(max_length=120, blank=True)
    professional_referral_on = models.DateField(null=True, blank=True)
    adult_safeguarding_followed = models.CharField(
        max_length=15, choices=Answer.choices, blank=True
    )
    adult_safeguarding_reason = models.CharField(max_length=500, blank=True)
    lscb_notified = models.CharField(max_length=15, choices=Answer.choices, blank=True)
    lscb_notified_on = models.DateField(null=True, blank=True)
    lscb_reason = models.CharField(max_length=500, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_summary = models.TextField(blank=True)
    level_after = models.CharField(max_length=30, choices=LevelAfter.choices, blank=True)
    level_recorded = models.BooleanField(
        default=False, help_text="The level afterwards is on the provider's surveillance timeline."
    )
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["revision"])

    class Meta:
        ordering = ["-triggered_at", "-pk"]
        indexes = [
            models.Index(fields=["qsg", "status"]),
            models.Index(fields=["status", "ring_holder_status"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="summit_clock_hours_range",
                condition=Q(clock_hours__gte=1, clock_hours__lte=168),
            ),
            models.CheckConstraint(
                name="summit_closed_has_outcome",
                condition=Q(status="open") | (Q(closed_at__isnull=False) & ~Q(outcome="")),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("risksummits:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_rapid_review(self) -> bool:
        return self.kind == self.Kind.RAPID_REVIEW

    @property
    def ring_label(self) -> str:
        """What the party who holds the ring is called: the deployment's word (ring-holder in
        the 2013 profile, lead organisation in the 2022 one), whichever face the summit has."""
        return vocabulary.term("ring_holder", capital=True)

    @property
    def clock_label(self) -> str:
        """The clock as set: one of the guidance's two urgencies, or the hours a rapid quality
        review was given (1 to 168), which the urgency alone would misstate."""
        if self.URGENCY_HOURS.get(self.urgency) == self.clock_hours:
            return self.get_urgency_display()
        return f"Meet within {self.clock_hours} hours of the judgement"

    @property
    def first_meeting_due(self) -> dt.datetime:
        return self.judged_at + dt.timedelta(hours=self.clock_hours)

    @property
    def ring_holder_due(self) -> dt.datetime:
        return self.triggered_at + dt.timedelta(hours=self.ring_holder_window_hours)

    @property
    def current_ring_holder_id(self) -> int | None:
        """The one rule for who holds the ring now: the ring-holder once agreed or set by
        default; while only proposed, nobody holds it."""
        return self.ring_holder_id if self.ring_holder_status in self.SETTLED_RING else None


class SummitProvider(models.Model):
    """A provider a summit is about. `summit_open` mirrors the summit's status so that the
    database keeps one open summit per provider (the partial unique constraint below)."""

    risksummit = models.ForeignKey(RiskSummit, on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    summit_open = models.BooleanField(default=True)

    class Meta:
        db_table = "risksummits_risksummit_providers"
        constraints = [
            models.UniqueConstraint(fields=["risksummit", "provider"], name="summit_provider_once"),
            models.UniqueConstraint(
                fields=["provider"],
                condition=Q(summit_open=True),
                name="one_open_summit_per_provider",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} in {self.risksummit_id}"


class Participant(models.Model):
    """An organisation taking part in a summit."""

    class Basis(models.TextChoices):
        TRIGGERED = "triggered", "Triggered the summit"
        CONVENOR = "convenor", "NHS England team convening the QSG"
        CORE_MEMBER = "core_member", "Core member of the QSG"
        COMMISSIONER = "commissioner", "Commissions the provider"
        REGULATOR = "regulator", "Regulator (CQC)"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        # Why the organisation was added; whether it holds the ring *now* is
        # `RiskSummit.current_ring_holder_id` (see `risksummits.rules.participant_role`).
        RING_HOLDER = "ring_holder", "Proposed to hold the ring"
        MEMBER = "member", "Other QSG member"
        INVITED = "invited", "Invited party"
        PROVIDER = "provider", "The provider"

    summit = models.ForeignKey(RiskSummit, on_delete=models.PROTECT, related_name="participants")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(max_length=20, choices=Basis.choices)
    is_guest = models.BooleanField(
        default=False, help_text="Not a member of the QSG: invited to this summit only."
    )
    shared_items_only = models.BooleanField(
        default=False,
        help_text="Sees only the meetings and actions marked as shared with the provider.",
    )
    ring_holder_position = models.CharField(
        max_length=10,
        choices=[("agree", "Agrees"), ("object", "Objects")],
        blank=True,
        help_text="This organisation's position on the proposed ring-holder.",
    )
    ring_holder_comment = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["summit", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["summit", "organisation"], name="participant_once_per_summit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.summit}"


class Representative(models.Model):
    """A person taking part for a participant organisation. Linking a person is what lets them
    see the summit."""

    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="representatives"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="summit_links"
    )
    summit = models.ForeignKey(RiskSummit, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["participant", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["summit", "user"], name="representative_once")
        ]
        indexes = [models.Index(fields=["user", "summit"])]

    def __str__(self) -> str:
        return f"{self.user} for {self.participant.organisation}"


class CQCJudgement(models.Model):
    """The CQC's independent regulatory judgement. The latest one stands."""

    class Finding(models.TextChoices):
        BREACH = "breach", "Breach of the essential standards"
        POTENTIAL_BREACH = "potential_breach", "Potential breach"
        NO_MATERIAL_BREACH = "no_material_breach", "No material breach"

    summit = models.ForeignKey(RiskSummit, on_delete=models.PROTECT, related_name="judgements")
    finding = models.CharField(max_length=20, choices=Finding.choices)
    judged_on = models.DateField()
    rationale = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-judged_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_finding_display()} ({self.judged_on})"


class ImpactAssessmentRequest(models.Model):
    """The CQC asks the other members for a rapid impact assessment of an action it considers."""

    summit = models.ForeignKey(RiskSummit, on_delete=models.PROTECT, related_name="impact_requests")
    action_considered = models.TextField(help_text="The regulatory action the CQC is considering.")
    respond_by = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Impact assessment request {self.pk}"


class ImpactAssessmentResponse(models.Model):
    class Impact(models.TextChoices):
        LOW = "low", "Low: the population can be served elsewhere"
        MODERATE = "moderate", "Moderate: manageable with mitigation"
        HIGH = "high", "High: serious effect on services for the population"

    request = models.ForeignKey(
        ImpactAssessmentRequest, on_delete=models.PROTECT, related_name="responses"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    impact = models.CharField(max_length=10, choices=Impact.choices)
    assessment = models.TextField()
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["request", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "organisation"], name="impact_response_once_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_impact_display()}"


class SummitMeeting(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIDEO = "video", "Video call"
        TELEPHONE = "telephone", "Telephone conference"

    summit = models.ForeignKey(RiskSummit, on_delete=models.PROTECT, related_name="meetings")
    number = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.VIDEO)
    venue = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    shared_with_provider = models.BooleanField(
        default=False, help_text="The provider, if invited to parts, sees this meeting's record."
    )
    late_reason = models.CharField(
        max_length=500,
        blank=True,
        help_text="Why the first meeting is after the clock's deadline (required then).",
    )
    discussion = models.TextField(blank=True)
    judgements = models.TextField(
        blank=True, help_text="The collective judgements the meeting reached."
    )
    chaired_by = models.CharField(max_length=200, blank=True)
    held_recorded_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["revision"])

    class Meta:
        ordering = ["summit", "starts_at", "number"]
        constraints = [
            models.UniqueConstraint(fields=["summit", "number"], name="summit_meeting_number"),
            models.CheckConstraint(
                name="summit_meeting_ends_after_start",
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"Meeting {self.number} of {self.summit_id}"

    @property
    def title(self) -> str:
        """Numbers follow the meetings' dates (`risksummits.rules.meeting_order`): the earliest
        meeting not cancelled is the first; cancelled meetings are numbered after the rest."""
        if self.status == self.Status.CANCELLED:
            return "Cancelled meeting"
        return "First meeting" if self.number == 1 else f"Follow-up meeting {self.number - 1}"


class Attendance(models.Model):
    meeting = models.ForeignKey(SummitMeeting, on_delete=models.PROTECT, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(default=True)

    class Meta:
        ordering = ["meeting", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="summit_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.meeting_id}"


class SummitAction(models.Model):
    class Objective(models.TextChoices):
        SAFEGUARD = "safeguard", "Rapidly safeguard patients"
        CONTINUITY = "continuity", "Keep services running for the population"
        IMPROVEMENT = "improvement", "Secure improvement at the provider"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Closed: done"
        TRANSFERRED = "transferred", "Transferred to the QSG's action log"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    summit = models.ForeignKey(RiskSummit, on_delete=models.PROTECT, related_name="actions")
    meeting = models.ForeignKey(
        SummitMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    number = models.PositiveSmallIntegerField()
    objective = models.CharField(max_length=15, choices=Objective.choices)
    description = models.TextField()
    owner_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN)
    progress_note = models.TextField(blank=True)
    transferred_to = models.CharField(
        max_length=300,
        blank=True,
        help_text="Where the action now lives: the QSG's action log and its reference there.",
    )
    transferred_action = models.OneToOneField(
        "surveillance.Action",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The action in the QSG's action log this one was transferred to.",
    )
    shared_with_provider = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["summit", "objective", "due_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["summit", "number"], name="summit_action_number"),
            models.CheckConstraint(
                name="summit_action_transfer_has_destination",
                condition=~Q(status="transferred") | ~Q(transferred_to=""),
            ),
        ]

    def __str__(self) -> str:
        return f"Action {self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class TimelineEvent(models.Model):
    """Everything that happened to a summit, in order."""

    summit = models.ForeignKey(RiskSummit, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=40)
    text = models.CharField(max_length=500)
    shared_with_provider = models.BooleanField(default=False)

    class Meta:
        ordering = ["summit", "at", "pk"]
        indexes = [models.Index(fields=["summit", "at"])]

    def __str__(self) -> str:
        return self.text


class SentAlert(models.Model):
    """An alert already sent: the beat task claims the row before it e-mails, so each goes once."""

    class Kind(models.TextChoices):
        MEETING_NOT_BOOKED = "meeting_not_booked", "First meeting not booked"
        MEETING_OVERDUE = "meeting_overdue", "First meeting not held in time"
        ACTION_OVERDUE = "action_overdue", "Action past its due date"
        RING_HOLDER_DEFAULT = "ring_holder_default", "Ring-holder set by default"

    summit = models.ForeignKey(RiskSummit, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    action = models.ForeignKey(
        SummitAction, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    key = models.CharField(max_length=120, unique=True)
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.key


class SummitDocument(models.Model):
    """A PDF of a summit meeting's record or of the closure report, one per version."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "Record of a summit meeting"
        CLOSURE = "closure", "Closure report"

    summit = models.ForeignKey(RiskSummit, on_delete=models.PROTECT, related_name="documents")
    meeting = models.ForeignKey(
        SummitMeeting, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    version = models.PositiveIntegerField(
        help_text="1 for the first issued version of this document, 2 for the next, ..."
    )
    record_revision = models.PositiveIntegerField(
        default=0, help_text="The record's internal revision this version was printed from."
    )
    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField(
        default=dict, help_text="The record as it stood when this version was asked for."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["summit", "meeting", "kind", "version"],
                name="summit_document_once_per_version",
            ),
            models.UniqueConstraint(
                fields=["summit", "kind", "version"],
                condition=Q(meeting__isnull=True),
                name="summit_closure_document_once_per_version",
            ),
            models.UniqueConstraint(
                fields=["summit", "meeting", "kind", "record_revision"],
                name="summit_document_once_per_revision",
            ),
            models.UniqueConstraint(
                fields=["summit", "kind", "record_revision"],
                condition=Q(meeting__isnull=True),
                name="summit_closure_document_once_per_revision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class AccessLogEntry(models.Model):
    """Who looked at what of a summit, and when. Read by the QSG secretariat."""

    summit = models.ForeignKey(RiskSummit, on_delete=models.PROTECT, related_name="access_log")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    what = models.CharField(max_length=120)
    channel = models.CharField(max_length=10, default="page")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["summit", "-at"])]

    def __str__(self) -> str:
        return f"{self.user_id} viewed {self.what}"
