"""Soft intelligence: items members submit, who saw them, who corroborates them.

Data and constraints only. Writes go through `surveillance.intelligence.services`; reads of
items go through `surveillance.intelligence.access` (who sees what is decided there and nowhere else).

Full-text search: `IntelligenceItem.search` is a PostgreSQL tsvector kept up to date by the
services (summary, details, service or site, reference), with a GIN index that migration 0005
creates on PostgreSQL only. On SQLite (the demo) the column stays empty and searches fall back
to `icontains`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from qsg.history import HistoricalRecords
from qsg.models import QSG, Organisation, Provider

__all__ = [
    "Corroboration",
    "IntelligenceAccess",
    "IntelligenceItem",
    "ItemSighting",
    "Theme",
]

# Limits stated on the form and enforced by the services.
SUMMARY_MAX = 200
DETAILS_MAX = 5000
SERVICE_SITE_MAX = 200
REASON_MAX = 1000
NOTE_MAX = 1000
NAMED_ORGANISATIONS_MAX = 50
PROVIDERS_MAX = 20


class Theme(models.Model):
    """A theme intelligence is filed under (staffing, safeguarding, ...). Themes are data."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=120)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "label"]

    def __str__(self) -> str:
        return self.label


class IntelligenceItem(models.Model):
    class SourceType(models.TextChoices):
        PATIENT = "patient", "Patient or carer"
        STAFF = "staff", "Staff"
        WHISTLEBLOWER = "whistleblower", "Whistleblower"
        COMPLAINT = "complaint", "Complaint"
        INSPECTION = "inspection", "Inspection"
        SURVEY = "survey", "Survey"
        PEER_REVIEW = "peer_review", "Peer review"
        MEDIA = "media", "Media"
        HEALTHWATCH = "healthwatch", "Healthwatch"
        DEANERY = "deanery", "Deanery or LETB report"
        OTHER = "other", "Other"

    class QualityDimension(models.TextChoices):
        """The codes every seeded profile has (the choices offered are `QualityDimension` rows)."""

        SAFETY = "safety", "Safety"
        EFFECTIVENESS = "effectiveness", "Effectiveness"
        EXPERIENCE = "experience", "Patient experience"

    class Reliability(models.TextChoices):
        A = "A", "A: completely reliable"
        B = "B", "B: usually reliable"
        C = "C", "C: fairly reliable"
        D = "D", "D: not usually reliable"
        E = "E", "E: unreliable"
        F = "F", "F: reliability cannot be judged"

    class Certainty(models.IntegerChoices):
        CONFIRMED = 1, "1: confirmed by other sources"
        PROBABLY_TRUE = 2, "2: probably true"
        POSSIBLY_TRUE = 3, "3: possibly true"
        DOUBTFUL = 4, "4: doubtful"
        IMPROBABLE = 5, "5: improbable"
        UNKNOWN = 6, "6: truth cannot be judged"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        TRIAGED = "triaged", "Triaged"
        ON_AGENDA = "on_agenda", "On an agenda"
        CONSIDERED = "considered", "Considered"
        CLOSED = "closed", "Closed"

    class Distribution(models.TextChoices):
        ORGANISATION = "organisation", "My organisation only"
        QSG = "qsg", "This QSG's members"
        REGION = "region", "This QSG and its regional QSG"
        NAMED = "named", "Named organisations"

    qsg = models.ForeignKey(
        QSG,
        on_delete=models.PROTECT,
        related_name="intelligence_items",
        help_text="The QSG the intelligence is submitted to.",
    )
    providers = models.ManyToManyField(Provider, related_name="intelligence_items", blank=True)
    service_site = models.CharField("service or site", max_length=SERVICE_SITE_MAX, blank=True)
    submitting_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="submitted_intelligence"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_intelligence"
    )
    source_type = models.CharField(max_length=20, choices=SourceType.choices, blank=True)
    # The code of a qsg.QualityDimension row (not a foreign key: the rows differ per profile).
    quality_dimension = models.CharField(max_length=20, blank=True)
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    summary = models.CharField(max_length=SUMMARY_MAX, blank=True)
    details = models.TextField(blank=True)
    observed_from = models.DateField(null=True, blank=True)
    observed_to = models.DateField(
        null=True, blank=True, help_text="The end of the period observed, if not a single day."
    )
    source_reliability = models.CharField(max_length=1, choices=Reliability.choices, blank=True)
    information_certainty = models.PositiveSmallIntegerField(
        choices=Certainty.choices, null=True, blank=True
    )
    review_by = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    distribution = models.CharField(
        max_length=12, choices=Distribution.choices, default=Distribution.QSG
    )
    named_organisations = models.ManyToManyField(
        Organisation, related_name="intelligence_shared_with", blank=True
    )
    do_not_attribute = models.BooleanField(
        default=False, help_text="Only the secretariat sees which organisation submitted it."
    )
    for_next_meeting = models.BooleanField(default=False)
    outside_reason = models.TextField(
        "reason for a provider outside your QSGs", max_length=REASON_MAX, blank=True
    )
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    idempotency_key = models.CharField(max_length=80, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    search = SearchVectorField(null=True, blank=True, editable=False)
    history = HistoricalRecords(
        excluded_fields=["search", "updated_at"],
        m2m_fields=[providers, named_organisations],
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="intel_item_recent"),
            # intel_item_submitted (submitted_at DESC NULLS LAST, id DESC), the list page's
            # order, is made by migration 0010 on PostgreSQL only (SQLite has no NULLS LAST in
            # an index).
            # One index per visibility arm (surveillance.intelligence.access.visibility_arms), each covering
            # `id`, so that a list's count is a UNION of index-only scans; and the columns the
            # list page's organisation filter reads (selectors._attributed_organisation_ids).
            models.Index(
                fields=["qsg", "distribution", "status"],
                include=["id", "submitting_organisation", "do_not_attribute"],
                name="intel_item_qsg_arm",
            ),
            models.Index(
                fields=["submitting_organisation", "status"],
                include=["id", "qsg", "do_not_attribute"],
                name="intel_item_org_arm",
            ),
            models.Index(
                fields=["submitted_by", "status"],
                include=["id", "qsg", "submitting_organisation", "do_not_attribute"],
                name="intel_item_author_arm",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="intel_item_idempotency",
            ),
            models.CheckConstraint(
                name="intel_item_period_order",
                condition=Q(observed_to__isnull=True)
                | Q(observed_from__isnull=True)
                | Q(observed_to__gte=models.F("observed_from")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference or 'Draft'}: {self.summary or 'untitled'}"

    def get_quality_dimension_display(self) -> str:
        from qsg.dimensions import label

        return label(self.quality_dimension)

    @property
    def is_released(self) -> bool:
        """Past moderation (triaged or later). Items of an unmoderated QSG are released on submit."""
        return self.status in RELEASED_STATUSES


RELEASED_STATUSES = frozenset(
    {
        IntelligenceItem.Status.TRIAGED,
        IntelligenceItem.Status.ON_AGENDA,
        IntelligenceItem.Status.CONSIDERED,
        IntelligenceItem.Status.CLOSED,
    }
)


class ItemSighting(models.Model):
    """Who has seen an item, and under which distribution: narrowing must not hide it from them."""

    item = models.ForeignKey(IntelligenceItem, on_delete=models.CASCADE, related_name="sightings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    distribution = models.CharField(max_length=12, choices=IntelligenceItem.Distribution.choices)
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="intel_sighting_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.item_id}"


class IntelligenceAccess(models.Model):
    """The access log: every view of an item shared other than with the QSG's members."""

    class Channel(models.TextChoices):
        PAGE = "page", "Page"
        API = "api", "API"
        EXPORT = "export", "CSV export"
        PDF = "pdf", "PDF"

    item = models.ForeignKey(IntelligenceItem, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    distribution = models.CharField(max_length=12, choices=IntelligenceItem.Distribution.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["item", "-at"], name="intel_access_item")]
        verbose_name_plural = "intelligence accesses"

    def __str__(self) -> str:
        return f"{self.user_id} read {self.item_id} ({self.channel})"


class Corroboration(models.Model):
    """ "We hold similar intelligence": one per organisation and item."""

    item = models.ForeignKey(
        IntelligenceItem, on_delete=models.CASCADE, related_name="corroborations"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "organisation"], name="intel_corroboration_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Corroboration of {self.item_id}"
