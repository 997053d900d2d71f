"""Meeting packs and member returns: data and constraints only.

A pack is rendered per version and audience. The audiences are the secretariat and chair (the
full pack) and each member organisation (exactly what that organisation may see); audiences
whose content is identical share one file. Writes go through `surveillance.packs.services`;
reads of protected rows go through `surveillance.packs.access`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from qsg.models import Job, Organisation, Provider
from surveillance.meetings.models import Meeting

__all__ = [
    "MeetingPack",
    "MemberReturn",
    "PackDownload",
    "PackRecipient",
    "PackVersion",
    "ReturnReminder",
]


class MeetingPack(models.Model):
    """The papers circulated before one meeting, and the member returns that feed them."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="pack")
    marking = models.CharField(
        max_length=60, help_text="Protective marking printed on every page, e.g. OFFICIAL-SENSITIVE"
    )
    returns_due_on = models.DateField(help_text="Member returns are due by the end of this day.")
    latest_number = models.PositiveIntegerField(
        default=0, help_text="The last version number asked for."
    )
    published_number = models.PositiveIntegerField(
        null=True, blank=True, help_text="The version circulated to members."
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-meeting__starts_at"]

    def __str__(self) -> str:
        return f"Pack for {self.meeting}"


class PackVersion(models.Model):
    """One rendered PDF of one version of a pack, for one or more audiences with equal content."""

    class Status(models.TextChoices):
        RENDERING = "rendering", "Being made"
        READY = "ready", "Ready"

    pack = models.ForeignKey(MeetingPack, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content_key = models.CharField(
        max_length=64, help_text="SHA-256 of the document's content: equal content, one file."
    )
    for_secretariat = models.BooleanField(
        default=False, help_text="The full pack, for the secretariat and chair."
    )
    audience_label = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RENDERING)
    claim = models.CharField(max_length=40, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    file = models.CharField(max_length=300, blank=True)
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the PDF file.")
    pages = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    contents = models.JSONField(
        default=list, blank=True, help_text="Sections and the pages they start on."
    )
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pack", "-number", "-for_secretariat", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pack", "number", "content_key"], name="pack_version_once_per_content"
            ),
            models.UniqueConstraint(
                fields=["pack", "number"],
                condition=Q(for_secretariat=True),
                name="pack_version_one_full_pack",
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of {self.pack} ({self.audience_label})"


class PackRecipient(models.Model):
    """Which version's file a member organisation receives: one per organisation per version."""

    pack = models.ForeignKey(MeetingPack, on_delete=models.PROTECT, related_name="recipients")
    number = models.PositiveIntegerField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PackVersion, on_delete=models.PROTECT, related_name="recipients")

    class Meta:
        ordering = ["pack", "number", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pack", "number", "organisation"], name="pack_recipient_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} receives version {self.version_id}"


class PackDownload(models.Model):
    """Who downloaded which version, and when."""

    version = models.ForeignKey(PackVersion, on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    via = models.CharField(max_length=10, default="web")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["version", "-at"])]

    def __str__(self) -> str:
        return f"{self.user_id} downloaded {self.version_id}"


class MemberReturn(models.Model):
    """A member organisation's pro forma for one meeting (guidance chapter 7)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Started"
        SUBMITTED = "submitted", "Submitted"

    class Handling(models.TextChoices):
        MEMBERS = "members", "Share with all members of the group"
        SECRETARIAT = "secretariat", "Share with the secretariat and chair only"

    pack = models.ForeignKey(MeetingPack, on_delete=models.PROTECT, related_name="returns")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="member_returns"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    nothing_to_report = models.BooleanField(default=False)
    concerns = models.TextField(max_length=4000, blank=True)
    concern_providers = models.ManyToManyField(Provider, blank=True, related_name="+")
    actions_completed = models.TextField(max_length=3000, blank=True)
    intelligence = models.TextField(max_length=4000, blank=True)
    handling = models.CharField(max_length=12, choices=Handling.choices, default=Handling.MEMBERS)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pack", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["pack", "organisation"], name="member_return_once"),
            models.CheckConstraint(
                name="member_return_submitted_has_time",
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Return from {self.organisation_id} for {self.pack}"

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED


class ReturnReminder(models.Model):
    """A reminder sent to an organisation about its return: once per pack, organisation, kind."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"

    pack = models.ForeignKey(MeetingPack, on_delete=models.CASCADE, related_name="reminders")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pack", "organisation", "kind"], name="return_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder to {self.organisation_id}"
