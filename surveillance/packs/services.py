"""Every write about meeting packs and member returns: atomic, validated; side effects on commit.

A pack is asked for by the secretariat (a new version number each time), rendered by a worker
into one file per audience with distinct content, checked, then published to members (e-mail
on commit). Rendering is idempotent: a version row is unique per (pack, number, content) and
claimed before it is rendered, and a recipient row is unique per (pack, number, organisation),
so running the job twice, or again after a worker died, gives one file per audience.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from qsg import broker, notifications, pdf
from qsg.access import PARTICIPANT_ROLES
from qsg.models import Job, Organisation, Provider, QSGRole, User
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import Meeting
from surveillance.meetings.services._common import _link, _notify, screen_pid
from surveillance.packs import pdf as pdf_packs
from surveillance.packs import selectors as selectors_packs
from surveillance.packs.models import (
    MeetingPack,
    MemberReturn,
    PackDownload,
    PackRecipient,
    PackVersion,
)

log = logging.getLogger(__name__)
Role = QSGRole.Role
RENDER_KIND = "meeting_pack"
STALE_AFTER = dt.timedelta(minutes=10)


def returns_days_before() -> int:
    return int(getattr(settings, "QSG_RETURNS_DAYS_BEFORE", 7))


# The pack -----------------------------------------------------------------------------------


def default_due_date(meeting: Meeting, *, today: dt.date | None = None) -> dt.date:
    """The usual notice before the meeting; when that day has passed (a meeting booked at short
    notice), the day before the meeting; never a day already gone, or every member would be
    overdue the moment the pack is opened; never after the meeting (a meeting already held
    keeps its own date)."""
    today = today or timezone.localdate()
    usual = meeting.date - dt.timedelta(days=returns_days_before())
    if usual >= today:
        return usual
    return min(meeting.date, max(today, meeting.date - dt.timedelta(days=1)))


@transaction.atomic
def meeting_pack_open(*, actor, meeting: Meeting, returns_due_on: dt.date | None = None):
    """The meeting's pack, made on first use with the default deadline for returns."""
    pack, _ = MeetingPack.objects.get_or_create(
        meeting=meeting,
        defaults={
            "marking": settings.QSG_PROTECTIVE_MARKING,
            "returns_due_on": returns_due_on or default_due_date(meeting),
        },
    )
    return pack


@transaction.atomic
def meeting_pack_settings(*, actor, pack: MeetingPack, returns_due_on: dt.date, marking: str):
    if returns_due_on > pack.meeting.date:
        raise ValidationError({"returns_due_on": "The deadline must be on or before the meeting"})
    if returns_due_on != pack.returns_due_on and returns_due_on < timezone.localdate():
        raise ValidationError({"returns_due_on": "The deadline must be today or in the future"})
    marking = (marking or "").strip()
    screen_pid({"marking": ("Protective marking", marking)})
    if not marking:
        raise ValidationError({"marking": "Enter the protective marking, like OFFICIAL-SENSITIVE"})
    pack.returns_due_on = returns_due_on
    pack.marking = marking[:60]
    pack.full_clean()
    pack.save(update_fields=["returns_due_on", "marking"])
    return pack


def render_job_key(pack: MeetingPack, number: int) -> str:
    return f"{RENDER_KIND}:{pack.pk}:v{number}"


@transaction.atomic
def meeting_pack_render_request(*, actor, pack: MeetingPack) -> Job:
    """Ask for a new version of the pack. While a version is still being made, that job is
    returned instead of a second one (a double click asks once)."""
    pack = MeetingPack.objects.select_for_update().get(pk=pack.pk)
    if pack.latest_number:
        current = Job.objects.filter(key=render_job_key(pack, pack.latest_number)).first()
        if current is not None and not current.is_finished:
            return current
    pack.latest_number += 1
    pack.save(update_fields=["latest_number"])
    job = Job.objects.create(
        kind=RENDER_KIND,
        key=render_job_key(pack, pack.latest_number),
        created_by=actor,
        organisation_id=getattr(actor, "organisation_id", None),
        qsg_id=pack.meeting.qsg_id,
        counts={"pack": pack.pk, "number": pack.latest_number, "meeting": pack.meeting_id},
    )
    _enqueue(str(job.pk))
    return job


def _enqueue(job_id: str) -> None:
    def enqueue():
        from surveillance.packs.tasks import render_meeting_pack

        try:
            broker.publish(render_meeting_pack, {"job_id": job_id})
        except Exception as exc:
            Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
                status=Job.Status.NOT_QUEUED, error=str(exc)[:500]
            )

    transaction.on_commit(enqueue)


@transaction.atomic
def meeting_pack_retry(*, actor, job: Job) -> Job:
    """Queue a failed (or never queued) render again, for the same version number."""
    updated = Job.objects.filter(
        pk=job.pk, status__in=[Job.Status.FAILED, Job.Status.NOT_QUEUED]
    ).update(status=Job.Status.QUEUED, progress=0, error="", message="")
    if updated:
        _enqueue(str(job.pk))
    return Job.objects.get(pk=job.pk)


def _version_claim(version: PackVersion, token: str, *, redelivered: bool) -> bool:
    now = timezone.now()
    free = Q(claim="") | Q(claimed_at__lt=now - STALE_AFTER)
    if redelivered:
        free = Q()
    return bool(
        PackVersion.objects.filter(free, pk=version.pk, status=PackVersion.Status.RENDERING).update(
            claim=token, claimed_at=now
        )
    )


def _groups(pack: MeetingPack, number: int, job: Job) -> tuple[dict[str, dict], User | None]:
    """One group per distinct content: the document, whether it is the full pack, and the
    organisations that receive it; the full pack first. Built from the database in a fraction
    of a second, so each version's task builds them again rather than carry content in its
    message."""
    meeting = pack.meeting
    reader = job.created_by or (
        User.objects.filter(
            qsg_roles__qsg_id=meeting.qsg_id, qsg_roles__role=Role.SECRETARIAT, is_active=True
        ).first()
    )
    previous = selectors_meetings.previous_meeting(meeting)
    groups: dict[str, dict] = {}
    for audience in selectors_packs.audiences(meeting, secretariat_reader=reader):
        doc = selectors_packs.document(pack, audience, number=number, previous=previous)
        key = selectors_packs.content_key(doc)
        group = groups.setdefault(key, {"doc": doc, "full": False, "organisations": []})
        if audience.is_full:
            group["full"] = True
        else:
            group["organisations"].append(audience.organisation)
    ordered = dict(sorted(groups.items(), key=lambda g: not g[1]["full"]))
    return ordered, reader


def _job_pack(job: Job) -> MeetingPack:
    pack = (
        MeetingPack.objects.select_related("meeting__qsg").filter(pk=job.counts.get("pack")).first()
    )
    if pack is None:
        raise ValidationError("The pack no longer exists")
    return pack


def meeting_pack_render(
    *,
    job: Job,
    redelivered: bool = False,
    progress: Callable[[int], None] | None = None,
    dispatch: Callable[[PackVersion], bool] | None = None,
) -> list[PackVersion]:
    """Make every audience's version row of one version of a pack and render them. Safe to run
    twice or concurrently.

    `dispatch(version)` hands a members' version to a task of its own (True when sent): the
    audiences then render in parallel on a worker with cores to spare, and this call renders
    the full pack only; a version not sent (no dispatcher, the broker down) is rendered here.
    The returned rows are as stored: a dispatched version may not be ready yet."""
    pack = _job_pack(job)
    number = int(job.counts["number"])
    groups, reader = _groups(pack, number, job)
    if progress:
        progress(10)
    rows = []
    for key, group in groups.items():
        names = [o.name for o in group["organisations"]]
        label = pdf_packs.audience_label(group["doc"], names)
        version = _version_row(pack, number, key, full=group["full"], label=label, job=job)
        for org in group["organisations"]:
            try:
                with transaction.atomic():
                    PackRecipient.objects.get_or_create(
                        pack=pack, number=number, organisation=org, defaults={"version": version}
                    )
            except IntegrityError:
                pass
        rows.append((version, group, label))
    # Every row exists before any is handed out, so whoever finishes the last one knows it; the
    # job names its rows (a row of content that has changed since an earlier attempt is not one).
    job.counts = {**job.counts, "versions": [v.pk for v, _, _ in rows]}
    Job.objects.filter(pk=job.pk).update(counts=job.counts)
    local = [
        (version, group, label)
        for version, group, label in rows
        if version.status != PackVersion.Status.READY
        and (group["full"] or dispatch is None or not dispatch(version))
    ]
    token = uuid.uuid4().hex
    dashboards: dict[tuple[int, ...], dict] = {}
    for index, (version, group, label) in enumerate(local):
        if _version_claim(version, token, redelivered=redelivered):
            providers = tuple(group["doc"]["dashboard_providers"])
            if providers not in dashboards:
                dashboards[providers] = selectors_packs.dashboard_summary(
                    pack.meeting, reader=reader, provider_ids=list(providers)
                )
            _render_version(version, group["doc"], dashboards[providers], label=label, token=token)
        if progress:
            progress(10 + int(88 * (index + 1) / len(groups)))
    stored = PackVersion.objects.in_bulk([v.pk for v, _, _ in rows])
    return [stored[v.pk] for v, _, _ in rows]


CONTENT_CHANGED = (
    "The pack's content changed while it was being made (a return was submitted, perhaps). "
    "Ask for the pack again."
)


def meeting_pack_version_render(*, job: Job, version_pk: int, redelivered: bool = False) -> bool:
    """Render one members' version of a job's pack (its own task). False when there was nothing
    for this attempt to do: the version is ready, or another attempt holds it."""
    version = PackVersion.objects.filter(pk=version_pk, pack_id=job.counts.get("pack")).first()
    if version is None or version.status == PackVersion.Status.READY:
        return False
    pack = _job_pack(job)
    groups, reader = _groups(pack, version.number, job)
    group = groups.get(version.content_key)
    if group is None:
        raise ValidationError(CONTENT_CHANGED)
    token = uuid.uuid4().hex
    if not _version_claim(version, token, redelivered=redelivered):
        return False
    dashboard = selectors_packs.dashboard_summary(
        pack.meeting, reader=reader, provider_ids=list(group["doc"]["dashboard_providers"])
    )
    label = pdf_packs.audience_label(group["doc"], [o.name for o in group["organisations"]])
    _render_version(version, group["doc"], dashboard, label=label, token=token)
    return True


def _version_row(pack, number, key, *, full: bool, label: str, job: Job) -> PackVersion:
    try:
        with transaction.atomic():
            version, _ = PackVersion.objects.get_or_create(
                pack=pack,
                number=number,
                content_key=key,
                defaults={"for_secretariat": full, "audience_label": label[:500], "job": job},
            )
    except IntegrityError:
        version = PackVersion.objects.get(pack=pack, number=number, content_key=key)
    return version


def _render_version(version: PackVersion, doc: dict, dashboard: dict, *, label, token) -> None:
    try:
        rendered = pdf_packs.render_pack_pdf(doc, dashboard, label=label)
    except Exception:
        # Let a retry take the version at once rather than wait for the claim to go stale.
        PackVersion.objects.filter(pk=version.pk, claim=token).update(claim="", claimed_at=None)
        raise
    path = pdf.store(
        f"packs/{version.pack_id}/v{version.number}/{version.content_key[:16]}-{token[:8]}.pdf",
        rendered.content,
    )
    done = PackVersion.objects.filter(pk=version.pk, claim=token).update(
        status=PackVersion.Status.READY,
        file=path,
        checksum=hashlib.sha256(rendered.content).hexdigest(),
        pages=rendered.pages,
        size=len(rendered.content),
        contents=pdf_packs.contents_pages(
            rendered.anchors, selectors_packs.intelligence_by_section(doc)
        ),
        rendered_at=timezone.now(),
    )
    from django.core.files.storage import default_storage

    if not done:  # another worker took the version over meanwhile: keep its file
        default_storage.delete(path)
        return
    # An attempt killed between storing its file and recording it left a file nobody refers to.
    folder, own = path.rsplit("/", 1)
    stem = own.rsplit("-", 1)[0] + "-"
    for name in default_storage.listdir(folder)[1]:
        if name.startswith(stem) and name != own:
            default_storage.delete(f"{folder}/{name}")


@transaction.atomic
def meeting_pack_publish(*, actor, pack: MeetingPack, number: int) -> MeetingPack:
    """Circulate a rendered version to members, and e-mail them a link (not the content)."""
    pack = MeetingPack.objects.select_for_update().select_related("meeting__qsg").get(pk=pack.pk)
    versions = PackVersion.objects.filter(pack=pack, number=number)
    if not versions.exists() or versions.exclude(status=PackVersion.Status.READY).exists():
        raise ValidationError("That version of the pack is not ready")
    if pack.published_number == number:
        return pack
    pack.published_number = number
    pack.published_at = timezone.now()
    pack.published_by = actor
    pack.save(update_fields=["published_number", "published_at", "published_by"])
    meeting = pack.meeting
    recipients = QSGRole.objects.filter(
        qsg_id=meeting.qsg_id,
        role__in=sorted(PARTICIPANT_ROLES),
        user__is_active=True,
    ).values_list("user_id", flat=True)
    _notify(
        recipients,
        f"{meeting.qsg.name}: the pack for {meeting.title} is ready",
        f"Version {number} of the meeting pack for {meeting.title} on "
        f"{meeting.date:%-d %B %Y} is ready to download:\n"
        f"{_link('surveillance:pack', meeting.pk)}\n\n"
        f"It is marked {pack.marking}.",
    )
    return pack


def pack_download_record(*, user, version: PackVersion, via: str = "web") -> PackDownload:
    """The pack's download log, and the intelligence access log for the restricted and "do not
    attribute" items whose words the file carries."""
    from surveillance.intelligence import services as intelligence_services
    from surveillance.intelligence.models import IntelligenceAccess, IntelligenceItem

    ids = {int(i) for c in version.contents or [] for i in c.get("intelligence_item_ids") or []}
    if ids:
        intelligence_services.items_seen(
            user=user,
            items=IntelligenceItem.objects.filter(pk__in=sorted(ids)),
            channel=IntelligenceAccess.Channel.PDF,
        )
    return PackDownload.objects.create(
        version=version, user=user, organisation_id=user.organisation_id, via=via
    )


# Member returns -------------------------------------------------------------------------------


RETURN_FIELDS = ("nothing_to_report", "concerns", "actions_completed", "intelligence", "handling")


@transaction.atomic
def member_return_save(
    *,
    actor,
    pack: MeetingPack,
    organisation: Organisation,
    submit: bool,
    nothing_to_report: bool = False,
    concerns: str = "",
    concern_providers: list[Provider] | None = None,
    actions_completed: str = "",
    intelligence: str = "",
    handling: str = MemberReturn.Handling.MEMBERS,
) -> MemberReturn:
    """Save (and, with `submit`, submit) the organisation's return. One row per organisation
    and meeting, whatever the number of clicks: the row is locked and updated in place."""
    screen_pid(
        {
            "concerns": ("Concerns about providers", concerns),
            "actions_completed": ("Actions completed", actions_completed),
            "intelligence": ("Intelligence to share", intelligence),
        }
    )
    # A submitted return stays submitted: a later save is a resubmission, checked as one.
    submit = submit or (
        MemberReturn.objects.filter(
            pack=pack, organisation=organisation, status=MemberReturn.Status.SUBMITTED
        ).exists()
    )
    if submit and not nothing_to_report and not (concerns or actions_completed or intelligence):
        raise ValidationError(
            {
                "nothing_to_report": "Tell us something to report, or choose "
                "'Nothing to report' if your organisation has nothing for this meeting"
            }
        )
    if nothing_to_report and (concerns or intelligence):
        raise ValidationError(
            {"nothing_to_report": "You chose 'Nothing to report' but also wrote concerns"}
        )
    footprint = selectors_packs.footprint_provider_ids(pack.meeting)
    providers = list(concern_providers or [])
    if any(p.pk not in footprint for p in providers):
        raise ValidationError({"concern_providers": "Choose providers in this group's footprint"})
    try:
        with transaction.atomic():
            row, _ = MemberReturn.objects.get_or_create(pack=pack, organisation=organisation)
    except IntegrityError:
        pass
    row = MemberReturn.objects.select_for_update().get(pack=pack, organisation=organisation)
    row.nothing_to_report = nothing_to_report
    row.concerns = concerns
    row.actions_completed = actions_completed
    row.intelligence = intelligence
    row.handling = handling
    fields = [*RETURN_FIELDS, "updated_at"]
    if submit:
        if not row.is_submitted:
            row.submitted_at = timezone.now()
        row.status = MemberReturn.Status.SUBMITTED
        row.submitted_by = actor
        fields += ["status", "submitted_at", "submitted_by"]
    row.full_clean()
    row.save(update_fields=fields)
    row.concern_providers.set(providers)
    if submit:
        secretariat = QSGRole.objects.filter(
            qsg_id=pack.meeting.qsg_id, role=Role.SECRETARIAT, user__is_active=True
        ).values_list("user_id", flat=True)
        _notify(
            secretariat,
            f"{pack.meeting.qsg.name}: return from {organisation.name}",
            f"{organisation.name} has submitted its return for {pack.meeting.title}:\n"
            f"{_link('surveillance:pack-returns', pack.meeting_id)}",
        )
    return row


def return_reminders_send(*, today: dt.date | None = None) -> int:
    """E-mail member organisations whose return is not in: once when due within 3 days, once
    when overdue (before the meeting). The reminder row is claimed before the e-mail."""
    from surveillance.packs.models import ReturnReminder

    today = today or timezone.localdate()
    packs = MeetingPack.objects.filter(
        meeting__status=Meeting.Status.SCHEDULED,
        meeting__starts_at__date__gte=today,
        returns_due_on__gte=today - dt.timedelta(days=60),
    ).select_related("meeting__qsg")
    sent = 0
    for pack in packs:
        if pack.returns_due_on < today:
            kind = ReturnReminder.Kind.OVERDUE
        elif pack.returns_due_on <= today + dt.timedelta(days=3):
            kind = ReturnReminder.Kind.DUE_SOON
        else:
            continue
        submitted = set(
            MemberReturn.objects.filter(
                pack=pack, status=MemberReturn.Status.SUBMITTED
            ).values_list("organisation_id", flat=True)
        )
        for org in selectors_packs.recipient_organisations(pack.meeting):
            if org.pk in submitted:
                continue
            with transaction.atomic():
                if (
                    notifications.first_time(ReturnReminder, pack=pack, organisation=org, kind=kind)
                    is None
                ):
                    continue
                people = QSGRole.objects.filter(
                    qsg_id=pack.meeting.qsg_id,
                    role=Role.MEMBER,
                    user__organisation=org,
                    user__is_active=True,
                ).values_list("user_id", flat=True)
                when = "is due on" if kind == ReturnReminder.Kind.DUE_SOON else "was due on"
                _notify(
                    people,
                    f"{pack.meeting.qsg.name}: your return {when} {pack.returns_due_on:%-d %B %Y}",
                    f"{org.name}'s return for {pack.meeting.title} {when} "
                    f"{pack.returns_due_on:%-d %B %Y}. Complete it here:\n"
                    f"{_link('surveillance:member-return', pack.meeting_id)}",
                )
                sent += 1
    return sent
