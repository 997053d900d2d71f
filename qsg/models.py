"""The network: organisations, QSGs, memberships, people's roles and providers.

Writes go through `qsg.services`; reads of protected objects go through `qsg.access`.
"""

import uuid

from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from .vocabulary import PROFILE_CHOICES

ODS_CODE_VALIDATOR = RegexValidator(
    r"^[A-Z0-9]{3,10}$",
    "Enter an ODS code of 3 to 10 letters and numbers, like RW3 or C82009",
)


class OrganisationType(models.Model):
    """A kind of member body. Labels are data so that 2013 and current terms both fit."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)
    is_statutory = models.BooleanField(
        default=True, help_text="Statutory bodies may trigger a risk summit."
    )
    is_commissioner = models.BooleanField(default=False)
    is_regulator = models.BooleanField(default=False)
    is_nhs_england = models.BooleanField(
        default=False,
        help_text="NHS England teams convene QSGs and are the ring-holder by default.",
    )
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "label"]

    def __str__(self) -> str:
        return self.label


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)
    type = models.ForeignKey(
        OrganisationType, on_delete=models.PROTECT, related_name="organisations"
    )
    ods_code = models.CharField(max_length=10, blank=True, validators=[ODS_CODE_VALIDATOR])
    email = models.EmailField(blank=True, help_text="A shared mailbox for QSG correspondence.")
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="organisation")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("qsg:organisation-detail", args=[self.pk])


class User(AbstractUser):
    """A person. Every person belongs to one organisation; permissions follow from it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    job_title = models.CharField(max_length=150, blank=True)
    history = HistoricalRecords(
        excluded_fields=["password", "last_login", "updated_at"], user_related_name="+"
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class QSG(models.Model):
    """A quality group at one of three tiers, as data: local (a 2013 local QSG, a 2022 System
    Quality Group), regional, national. Each group but a national one may sit under the group
    one tier up (`regional_qsg`, the parent): a local group always does, a regional group when
    the deployment has a national group. The group above reads its children read-only
    (qsg.access)."""

    class Level(models.TextChoices):
        LOCAL = "local", "Local"
        REGIONAL = "regional", "Regional"
        NATIONAL = "national", "National"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    level = models.CharField(max_length=10, choices=Level.choices)
    regional_qsg = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_qsgs",
        verbose_name="regional group",
        limit_choices_to={"level__in": ["regional", "national"]},
        help_text=(
            "The group one tier up: the regional group a local group reports to, or the "
            "national group over a regional one (none for a national group)."
        ),
    )
    footprint = models.CharField(
        max_length=200, blank=True, help_text="The area team or region whose footprint it covers."
    )
    convening_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="convened_qsgs",
        null=True,
        blank=True,
        help_text="The NHS England team that chairs and supports the group.",
    )
    moderation_enabled = models.BooleanField(
        default=True,
        help_text="Intelligence reaches other members only after the secretariat has triaged it.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["level", "name"]
        verbose_name = "QSG"
        verbose_name_plural = "QSGs"
        constraints = [
            models.CheckConstraint(
                name="qsg_tier_parent",
                condition=Q(level="national", regional_qsg__isnull=True)
                | Q(level="regional")
                | Q(level="local", regional_qsg__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("qsg:qsg-detail", args=[self.pk])

    @property
    def is_local(self) -> bool:
        return self.level == self.Level.LOCAL

    @property
    def parent(self) -> "QSG | None":
        """The group one tier up (a local group's region, a region's national group)."""
        return self.regional_qsg

    def clean(self) -> None:
        wanted = PARENT_LEVEL.get(self.level)
        if self.regional_qsg_id is not None and (
            wanted is None or self.regional_qsg.level != wanted
        ):
            above = dict(self.Level.choices).get(wanted, "no").lower()
            raise ValidationError({"regional_qsg": f"Choose a {above} group (one tier up)"})


# The tier a group's parent sits at (a national group has none).
PARENT_LEVEL = {QSG.Level.LOCAL: QSG.Level.REGIONAL, QSG.Level.REGIONAL: QSG.Level.NATIONAL}


class Membership(models.Model):
    """An organisation's membership of a QSG."""

    class Kind(models.TextChoices):
        CORE = "core", "Core member"
        FULL = "full", "Full member, attends by risk"
        CO_OPTED = "co_opted", "Co-opted member"

    qsg = models.ForeignKey(
        QSG, on_delete=models.PROTECT, related_name="memberships", verbose_name="group"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CORE)
    joined_on = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["qsg", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["qsg", "organisation"], name="membership_unique_per_qsg"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.qsg}"


class QSGRole(models.Model):
    """A person's role in a QSG. Roles narrow what their organisation's membership allows."""

    class Role(models.TextChoices):
        SECRETARIAT = "secretariat", "Secretariat"
        CHAIR = "chair", "Chair"
        MEMBER = "member", "Member"
        OBSERVER = "observer", "Observer"
        REGIONAL_REVIEWER = "regional_reviewer", "Regional reviewer"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="qsg_roles")
    qsg = models.ForeignKey(
        QSG, on_delete=models.PROTECT, related_name="roles", verbose_name="group"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    is_named_representative = models.BooleanField(
        default=True, help_text="Named as a representative of their organisation on this QSG."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["qsg", "role", "user__last_name"]
        verbose_name = "QSG role"
        constraints = [
            models.UniqueConstraint(fields=["user", "qsg", "role"], name="qsgrole_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.qsg})"


class Provider(models.Model):
    class Sector(models.TextChoices):
        ACUTE = "acute", "Acute"
        MENTAL_HEALTH = "mental_health", "Mental health"
        COMMUNITY = "community", "Community"
        AMBULANCE = "ambulance", "Ambulance"
        PRIMARY_CARE = "primary_care", "Primary care"
        DENTAL = "dental", "Dental"
        CARE_HOME = "care_home", "Care home"
        INDEPENDENT = "independent", "Independent sector"

    ods_code = models.CharField(max_length=10, unique=True, validators=[ODS_CODE_VALIDATOR])
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    qsg = models.ForeignKey(
        QSG,
        on_delete=models.PROTECT,
        related_name="providers",
        limit_choices_to={"level": "local"},
        verbose_name="lead group",
        help_text=(
            "The local group whose footprint the provider sits in; for a provider serving "
            "several systems, the lead group (it keeps the escalation record)."
        ),
    )
    other_qsgs = models.ManyToManyField(
        QSG,
        related_name="shared_providers",
        blank=True,
        limit_choices_to={"level": "local"},
        verbose_name="other groups",
        help_text=(
            "Other local groups whose footprint the provider also sits in (an ambulance or "
            "specialist trust serving several systems): they read its records, the lead group "
            "keeps them."
        ),
    )
    district = models.CharField(max_length=120, blank=True)
    commissioners = models.ManyToManyField(
        Organisation, related_name="commissioned_providers", blank=True
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[commissioners, other_qsgs])

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["qsg", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"

    def get_absolute_url(self) -> str:
        return reverse("qsg:provider-detail", args=[self.pk])


class QSGGroupObjectPermission(GroupObjectPermissionBase):
    """Direct foreign-key object permissions of organisation groups on QSGs."""

    content_object = models.ForeignKey(QSG, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class QSGUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(QSG, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class Job(models.Model):
    """A background job as the user sees it: status and progress that a page can poll."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"
        NOT_QUEUED = "not_queued", "Could not be queued"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=60)
    key = models.CharField(
        max_length=200, null=True, blank=True, unique=True, help_text="Deduplicates identical work."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    qsg = models.ForeignKey(
        QSG,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="group",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED, self.Status.NOT_QUEUED}

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class SubmissionToken(models.Model):
    """Remembers a form token or idempotency key so that a double submit creates one record."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=80)
    scope = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "scope", "token"], name="submission_token_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.token}"


class Notification(models.Model):
    """An e-mail to some people, kept until it is sent (an outbox row).

    Written in the transaction that raises it, published on commit; a worker claims it with a
    conditional update, so however many messages reach the workers (a publish that timed out
    but arrived late, beat's sweep, a redelivery) it is sent once. See qsg.notifications.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        NOT_QUEUED = "not_queued", "Could not be queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipients = models.JSONField(default=list, help_text="User ids.")
    subject = models.TextField()
    body = models.TextField(help_text="Links only, never the sensitive content itself.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    sent_to = models.JSONField(default=list, blank=True, help_text="User ids already e-mailed.")
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(auto_now_add=True, help_text="Last published.")
    started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.subject} ({self.status})"


class Term(models.Model):
    """A deployment's own word for one of the things the guidance names differently (see
    qsg.vocabulary): it overrides the profile's term."""

    key = models.CharField(max_length=40, unique=True)
    label = models.CharField(max_length=120)
    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}: {self.label}"


class QualityDimension(models.Model):
    """A dimension of quality that intelligence and dashboard indicators are classed under: three
    in the 2013 guidance, six in the 2022 one. Rows are data per profile (qsg.vocabulary) that
    administrators edit and retire (never delete); what is classed keeps its code, and a code both
    profiles share (safety, effectiveness, experience) reads in each profile's words. Read through
    `qsg.dimensions`."""

    code = models.SlugField(max_length=20)
    profile = models.CharField(max_length=4, choices=PROFILE_CHOICES, blank=True, default="")
    label = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["sort_order", "label"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "code"], name="quality_dimension_once")
        ]

    def __str__(self) -> str:
        return self.label


# Sign-in records live in qsg.accounts; imported here so that the app registry finds them.
from .accounts.models import (  # noqa: E402, F401
    AccountEvent,
    ApiToken,
    ExternalIdentity,
    IdentityProviderDevice,
    RecoveryCode,
    RecoveryCodeDevice,
)
