"""Every write to soft intelligence: drafts, submission, triage, distribution, corroboration,
merging, closing, and the record of who read what.

Each function is atomic, validates everything before writing anything (a ValidationError with
field keys; nothing saved half-way), screens free text for patient-identifiable data, records
who did it (simple-history) and sends e-mails only on commit. Callers check visibility first
(`surveillance.intelligence.access`); these functions check what the actor may *change*.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from qsg import dimensions, notifications, once
from qsg.models import Organisation, Provider, QSGRole
from qsg.screening import pid_errors
from qsg.vocabulary import say, say_lazy
from surveillance.intelligence import access
from surveillance.intelligence.models import (
    DETAILS_MAX,
    NAMED_ORGANISATIONS_MAX,
    NOTE_MAX,
    PROVIDERS_MAX,
    REASON_MAX,
    SERVICE_SITE_MAX,
    SUMMARY_MAX,
    Corroboration,
    IntelligenceAccess,
    IntelligenceItem,
    ItemSighting,
    Theme,
)

log = logging.getLogger(__name__)

Item = IntelligenceItem
Status = Item.Status
Distribution = Item.Distribution
Role = QSGRole.Role
TOKEN_SCOPE = "intelligence-submit"  # noqa: S105 (a scope name, not a secret)

# Free-text fields: name -> (label used in messages, limit).
TEXT_FIELDS = {
    "summary": ("Summary", SUMMARY_MAX),
    "details": ("Details", DETAILS_MAX),
    "service_site": ("Service or site", SERVICE_SITE_MAX),
    "outside_reason": (say_lazy("Reason for a provider outside your QSGs"), REASON_MAX),
}
FIELDS = (
    "qsg",
    "providers",
    "service_site",
    "source_type",
    "quality_dimension",
    "theme",
    "summary",
    "details",
    "observed_from",
    "observed_to",
    "source_reliability",
    "information_certainty",
    "review_by",
    "distribution",
    "named_organisations",
    "do_not_attribute",
    "outside_reason",
)


def _today() -> dt.date:
    return timezone.localdate()


def _stamp(instance, actor) -> None:
    if getattr(actor, "is_authenticated", False):
        instance._history_user = actor


def item_url(item_id: int) -> str:
    """The item's page (the web pages register `surveillance:intelligence-detail`)."""
    try:
        path = reverse("surveillance:intelligence-detail", args=[item_id])
    except NoReverseMatch:
        path = f"/intelligence/{item_id}/"
    return settings.QSG_SITE_URL.rstrip("/") + path


def _notify(user_ids: Iterable[int], subject: str, body: str) -> None:
    notifications.notify(user_ids=user_ids, subject=subject, body=body)


def screen_pid(values: dict[str, str]) -> dict[str, list[str]]:
    return pid_errors({name: (TEXT_FIELDS[name][0], text) for name, text in values.items()})


def _storable(text: str) -> bool:
    """Text PostgreSQL can store: valid UTF-8 (no lone surrogates) and no NUL characters."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _ids(values) -> list:
    return [getattr(v, "pk", v) for v in (values or [])]


def _clean(actor, data: dict[str, Any], *, submitting: bool) -> dict[str, Any]:
    """Check every field; return resolved values or raise one ValidationError with all errors."""
    scope = access.scope_for(actor)
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    out: dict[str, Any] = {}

    # Text: limits, then PID screening (both as field errors).
    texts = {}
    for name, (label, limit) in TEXT_FIELDS.items():
        value = data.get(name) or ""
        if not isinstance(value, str):
            err(name, f"{label} must be text")
            continue
        value = value.strip()
        if not _storable(value):
            err(name, f"{label} contains characters that cannot be stored; retype it")
            continue
        if len(value) > limit:
            err(name, f"{label} must be {limit} characters or fewer (it has {len(value)})")
        texts[name] = value
        out[name] = value
    for name, messages in screen_pid({k: v for k, v in texts.items() if k not in errors}).items():
        errors.setdefault(name, []).extend(messages)
    if submitting:
        if not out.get("summary"):
            err("summary", "Enter a summary of the intelligence")
        if not out.get("details"):
            err("details", "Enter the details of the intelligence")

    # The QSG it goes to: one where the actor holds a role.
    qsg_id = getattr(data.get("qsg"), "pk", data.get("qsg"))
    try:
        qsg_id = int(qsg_id) if qsg_id not in (None, "") else None
    except (TypeError, ValueError):
        qsg_id = None
        err("qsg", say("Choose a QSG you belong to"))
    if qsg_id is None:
        if "qsg" not in errors:
            err("qsg", say("Choose the QSG you are sharing the intelligence with"))
    elif qsg_id not in scope.role_qsg_ids:
        err("qsg", say("Choose a QSG you belong to"))
    out["qsg_id"] = qsg_id

    # Providers: known and active; outside the actor's QSGs only with a reason.
    try:
        provider_ids = sorted({int(p) for p in _ids(data.get("providers"))})
    except (TypeError, ValueError):
        provider_ids = []
        err("providers", "Choose providers from the list")
    providers = list(Provider.objects.filter(pk__in=provider_ids, is_active=True))
    if len(providers) != len(provider_ids):
        known = {p.pk for p in providers}
        unknown = [str(i) for i in provider_ids if i not in known]
        err("providers", f"Provider not found: {', '.join(unknown)}")
    if len(provider_ids) > PROVIDERS_MAX:
        err("providers", f"Choose {PROVIDERS_MAX} providers or fewer")
    if submitting and not provider_ids and "providers" not in errors:
        err("providers", "Choose the provider the intelligence is about")
    # A regional QSG's people are at home in its local QSGs' footprints too.
    home = scope.role_qsg_ids | scope.region_qsg_ids
    outside = [p for p in providers if p.qsg_id not in home]
    if outside and not out.get("outside_reason") and "outside_reason" not in errors:
        # By the ids the caller sent: a provider outside their QSGs is not theirs to see named.
        named = ", ".join(str(p.pk) for p in sorted(outside, key=lambda p: p.pk))
        err(
            "outside_reason",
            say("Give a reason for sharing intelligence about a provider outside your QSGs")
            + f" (id {named})",
        )
    out["providers"] = providers
    if not outside and "outside_reason" not in errors:
        out["outside_reason"] = ""

    # Choices.
    def choice(name: str, choices, label: str, *, cast=str):
        raw = data.get(name)
        if raw in (None, ""):
            if submitting:
                err(name, f"Choose the {label}")
            return "" if cast is str else None
        try:
            value = cast(raw)
        except (TypeError, ValueError):
            value = None
        if value not in {c for c, _ in choices}:
            err(name, f"Choose a valid {label}")
            return "" if cast is str else None
        return value

    out["source_type"] = choice(
        "source_type", Item.SourceType.choices, "source of the intelligence"
    )
    out["quality_dimension"] = choice(
        "quality_dimension", dimensions.choices(), "quality dimension"
    )
    out["source_reliability"] = choice(
        "source_reliability", Item.Reliability.choices, "source reliability (A to F)"
    )
    out["information_certainty"] = choice(
        "information_certainty",
        Item.Certainty.choices,
        "information certainty (1 to 6)",
        cast=int,
    )
    distribution = data.get("distribution") or Distribution.QSG
    if distribution not in Distribution.values:
        err("distribution", "Choose who the intelligence is shared with")
    out["distribution"] = distribution

    # Theme (optional; the secretariat assigns one at triage).
    theme = data.get("theme")
    if theme not in (None, ""):
        theme_id = getattr(theme, "pk", theme)
        try:
            theme = Theme.objects.filter(pk=int(theme_id), is_active=True).first()
        except (TypeError, ValueError):
            theme = None
        if theme is None:
            err("theme", "Choose a theme from the list")
    out["theme"] = theme or None

    # Dates: not in the future; a period in order; review after what was observed.
    today = _today()
    dates = {}
    for name, label in (
        ("observed_from", "date observed"),
        ("observed_to", "end of the period observed"),
        ("review_by", "review-by date"),
    ):
        value = data.get(name)
        if value in (None, ""):
            dates[name] = None
        elif isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            err(name, f"Enter the {label} as a real date")
            dates[name] = None
        else:
            dates[name] = value
    if submitting and dates["observed_from"] is None and "observed_from" not in errors:
        err("observed_from", "Enter the date the intelligence was observed")
    for name in ("observed_from", "observed_to"):
        if dates[name] and dates[name] > today:
            err(name, "The date observed must be today or in the past")
    if (
        dates["observed_from"]
        and dates["observed_to"]
        and dates["observed_to"] < dates["observed_from"]
    ):
        err("observed_to", "The end of the period must be the same as or after its start")
    last_observed = dates["observed_to"] or dates["observed_from"]
    if dates["review_by"] and last_observed and dates["review_by"] < last_observed:
        err("review_by", "The review-by date must be on or after the date observed")
    if dates["observed_to"] and not dates["observed_from"] and "observed_from" not in errors:
        err("observed_from", "Enter when the period observed started")
    out.update(dates)

    # Named organisations: only with that distribution, and each must exist.
    try:
        org_ids = sorted({int(o) for o in _ids(data.get("named_organisations"))})
    except (TypeError, ValueError):
        org_ids = []
        err("named_organisations", "Choose organisations from the list")
    named = []
    if distribution == Distribution.NAMED:
        named = list(Organisation.objects.filter(pk__in=org_ids, is_active=True))
        if len(named) != len(org_ids):
            known = {o.pk for o in named}
            unknown = [str(i) for i in org_ids if i not in known]
            err("named_organisations", f"Organisation not found: {', '.join(unknown)}")
        if len(org_ids) > NAMED_ORGANISATIONS_MAX:
            err("named_organisations", f"Name {NAMED_ORGANISATIONS_MAX} organisations or fewer")
        if not org_ids and "named_organisations" not in errors:
            err("named_organisations", "Name at least one organisation to share it with")
    out["named_organisations"] = named
    dna = data.get("do_not_attribute", False)
    if not isinstance(dna, bool):
        err("do_not_attribute", "Answer yes or no")
        dna = False
    out["do_not_attribute"] = dna

    if errors:
        raise ValidationError(errors)
    return out


def _refresh_search(item_id: int) -> None:
    if connection.vendor != "postgresql":
        return
    Item.objects.filter(pk=item_id).update(
        search=SearchVector("summary", weight="A", config="english")
        + SearchVector("details", weight="B", config="english")
        + SearchVector("service_site", "reference", weight="C", config=Value("simple"))
    )


def _write(
    actor, item: Item | None, values: dict[str, Any], *, status: str, idempotency_key: str = ""
) -> Item:
    """Store the item. Every save adds a history row (with its providers and named
    organisations), so everything known before the insert goes in with it."""
    creating = item is None
    if creating:
        item = Item(submitted_by=actor, submitting_organisation_id=actor.organisation_id)
    item.qsg_id = values["qsg_id"]
    for name in (
        "service_site",
        "source_type",
        "quality_dimension",
        "theme",
        "summary",
        "details",
        "observed_from",
        "observed_to",
        "source_reliability",
        "information_certainty",
        "review_by",
        "distribution",
        "do_not_attribute",
        "outside_reason",
    ):
        setattr(item, name, values[name])
    item.status = status
    if status == Status.SUBMITTED:
        item.submitted_at = timezone.now()
    if idempotency_key:
        item.idempotency_key = idempotency_key
    item.full_clean(exclude=["search", "reference", "submitted_by", "submitting_organisation"])
    _stamp(item, actor)
    if creating and connection.vendor == "postgresql":
        # The id first, so the reference goes in with the insert: one history row, not two.
        item.pk = _next_item_id()
        item.reference = _reference(item.pk, timezone.now())
        item.save(force_insert=True)
    else:
        item.save()
    if not item.reference:
        item.reference = _reference(item.pk, item.created_at)
        item.save(update_fields=["reference"])
    item.providers.set(values["providers"])
    item.named_organisations.set(values["named_organisations"])
    _refresh_search(item.pk)
    return item


def _reference(pk: int, at) -> str:
    return f"INT-{timezone.localdate(at):%Y}-{pk:06d}"


def _next_item_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Item._meta.db_table])
        return cursor.fetchone()[0]


def _own_draft(actor, item: Item) -> Item:
    draft = access.draft_for_user(actor, item.pk)
    return Item.objects.select_for_update().get(pk=draft.pk)


@transaction.atomic
def intelligence_item_save_draft(*, actor, item: Item | None = None, **fields) -> Item:
    """Create or update the actor's draft. Nothing is required yet, but limits, PID and the
    choices given are checked: patient-identifiable data is never stored, even in a draft."""
    _require_person(actor)
    if item is not None:
        item = _own_draft(actor, item)
    values = _clean(actor, fields, submitting=False)
    return _write(actor, item, values, status=Status.DRAFT)


@transaction.atomic
def intelligence_draft_delete(*, actor, item: Item) -> None:
    """Delete the actor's own draft. Nothing else can be deleted: once submitted, an item is
    part of the QSG's record (the secretariat can merge a duplicate, nobody can remove it)."""
    _require_person(actor)
    _own_draft(actor, item).delete()


@transaction.atomic
def intelligence_item_submit(
    *, actor, item: Item | None = None, idempotency_key: str = "", **fields
) -> Item:
    """Submit intelligence (a new item, or the actor's draft) to a QSG.

    The same idempotency key (API header or body) or form token submitted twice gives back the
    first item. The secretariat is told on commit.
    """
    _require_person(actor)
    key = (idempotency_key or "").strip()[:80]
    if not _storable(key):
        raise ValidationError({"idempotency_key": ["Use letters, digits and punctuation only"]})
    claim = once.claim(user=actor, scope=TOKEN_SCOPE, token=key)
    if not claim.first and (existing := claim.earlier(Item)) is not None:
        return existing
    if item is not None:
        item = _own_draft(actor, item)
    values = _clean(actor, fields, submitting=True)
    item = _write(actor, item, values, status=Status.SUBMITTED, idempotency_key=key)
    if key:
        claim.remember(item)
    secretariat = QSGRole.objects.filter(
        qsg_id=item.qsg_id, role=Role.SECRETARIAT, user__is_active=True
    ).values_list("user_id", flat=True)
    _notify(
        list(secretariat),
        f"New intelligence {item.reference} for {item.qsg.name}",
        say("New intelligence has been submitted to your QSG and is waiting for triage:")
        + f"\n{item_url(item.pk)}",
    )
    return item


def _require_person(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.organisation_id:
        raise PermissionDenied("Only people of a member organisation share intelligence")


def _locked(item: Item) -> Item:
    return Item.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def intelligence_item_triage(
    *,
    actor,
    item: Item,
    theme: Theme | int | None = None,
    providers: Iterable[Provider | int] | None = None,
    for_next_meeting: bool | None = None,
    status: str = Status.TRIAGED,
) -> Item:
    """The secretariat assigns a theme, links providers, marks it for the next meeting and sets
    its status (triaged, on an agenda, considered). The submitter is told on commit."""
    access.require(access.can_triage(actor, item))
    item = _locked(item)
    errors: dict[str, list[str]] = {}
    allowed = {Status.TRIAGED, Status.ON_AGENDA, Status.CONSIDERED}
    if status not in allowed:
        errors["status"] = ["Choose triaged, on an agenda or considered"]
    if theme not in (None, ""):
        theme_id = getattr(theme, "pk", theme)
        try:
            theme_obj = Theme.objects.filter(pk=int(theme_id), is_active=True).first()
        except (TypeError, ValueError):
            theme_obj = None
        if theme_obj is None:
            errors["theme"] = ["Choose a theme from the list"]
        else:
            item.theme = theme_obj
    if item.theme_id is None and "theme" not in errors:
        errors["theme"] = ["Assign a theme"]
    provider_objs = None
    if providers is not None:
        try:
            ids = sorted({int(p) for p in _ids(providers)})
        except (TypeError, ValueError):
            ids = []
        provider_objs = list(Provider.objects.filter(pk__in=ids, is_active=True))
        if len(provider_objs) != len(ids) or not ids:
            errors["providers"] = ["Choose providers from the list"]
    if errors:
        raise ValidationError(errors)
    first_triage = item.status == Status.SUBMITTED
    item.status = status
    if for_next_meeting is not None:
        item.for_next_meeting = bool(for_next_meeting)
    if first_triage:
        item.triaged_at = timezone.now()
        item.triaged_by = actor
    _stamp(item, actor)
    item.save(
        update_fields=[
            "theme",
            "status",
            "for_next_meeting",
            "triaged_at",
            "triaged_by",
            "updated_at",
        ]
    )
    if provider_objs is not None:
        item.providers.set(provider_objs)
    if first_triage:
        _notify(
            [item.submitted_by_id],
            f"Your intelligence {item.reference} has been triaged",
            f"The secretariat has triaged the intelligence you submitted:\n{item_url(item.pk)}",
        )
    return item


def _audience_check(item: Item, distribution: str, named_ids: set[int]) -> list[ItemSighting]:
    """Sightings by people the new distribution would no longer reach."""
    lost = []
    for sighting in ItemSighting.objects.filter(item=item).select_related("user"):
        user = sighting.user
        access.forget(user)
        scope = access.scope_for(user)
        # Only people who read it now can lose it (a sighting made under an older rule by
        # someone who no longer reads the item does not hold the sharing back).
        still = not access.can_see(scope, item) or access.can_see(
            scope, item, distribution=distribution, named_org_ids=named_ids
        )
        if not still:
            lost.append(sighting)
    return lost


@transaction.atomic
def intelligence_item_change_distribution(
    *,
    actor,
    item: Item,
    distribution: str,
    named_organisations: Iterable[Organisation | int] = (),
) -> Item:
    """Widen (or narrow) who an item is shared with: the owner or the secretariat.

    Narrowing is refused while anybody who has already seen the item would lose it.
    """
    access.require(access.can_change_distribution(actor, item))
    item = _locked(item)
    errors: dict[str, list[str]] = {}
    if distribution not in Distribution.values:
        raise ValidationError({"distribution": ["Choose who the intelligence is shared with"]})
    named: list[Organisation] = []
    if distribution == Distribution.NAMED:
        try:
            ids = sorted({int(o) for o in _ids(named_organisations)})
        except (TypeError, ValueError):
            ids = []
        named = list(Organisation.objects.filter(pk__in=ids, is_active=True))
        if len(named) != len(ids):
            errors["named_organisations"] = ["Organisation not found"]
        elif not ids:
            errors["named_organisations"] = ["Name at least one organisation to share it with"]
    if errors:
        raise ValidationError(errors)
    lost = _audience_check(item, distribution, {o.pk for o in named})
    if lost:
        orgs = len({s.organisation_id for s in lost})
        raise ValidationError(
            {
                "distribution": [
                    f"{len(lost)} {'person has' if len(lost) == 1 else 'people have'} from "
                    f"{orgs} organisation{'s' if orgs != 1 else ''} already seen this "
                    "intelligence and would lose it: it cannot be narrowed this way"
                ]
            }
        )
    item.distribution = distribution
    _stamp(item, actor)
    item.save(update_fields=["distribution", "updated_at"])
    item.named_organisations.set(named)
    return item


@transaction.atomic
def intelligence_item_corroborate(
    *, actor, item: Item, note: str = ""
) -> tuple[Corroboration, bool]:
    """ "We hold similar intelligence", once per organisation. Returns (row, created)."""
    access.require(access.can_corroborate(actor, item))
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if not _storable(note):
        errors["note"] = ["The note contains characters that cannot be stored; retype it"]
    elif len(note) > NOTE_MAX:
        errors["note"] = [f"The note must be {NOTE_MAX} characters or fewer (it has {len(note)})"]
    else:
        errors.update(pid_errors({"note": ("Note", note)}))
    if errors:
        raise ValidationError(errors)
    row, created = Corroboration.objects.get_or_create(
        item=item,
        organisation_id=actor.organisation_id,
        defaults={"person": actor, "note": note},
    )
    return row, created


@transaction.atomic
def intelligence_item_merge(*, actor, item: Item, into: Item) -> Item:
    """Close a duplicate into another item of the same QSG (secretariat)."""
    access.require(access.scope_for(actor).manages(item.qsg_id))
    item, into = _locked(item), _locked(into)
    if item.pk == into.pk:
        raise ValidationError({"into": ["An item cannot be merged into itself"]})
    if into.qsg_id != item.qsg_id or into.status == Status.DRAFT:
        raise ValidationError({"into": [say("Choose a submitted item of the same QSG")]})
    if into.merged_into_id:
        raise ValidationError(
            {"into": ["That item has itself been merged; choose the one it went into"]}
        )
    item.merged_into = into
    item.status = Status.CLOSED
    _stamp(item, actor)
    item.save(update_fields=["merged_into", "status", "updated_at"])
    into.providers.add(*item.providers.all())
    for duplicate in Item.objects.filter(merged_into=item):
        duplicate.merged_into = into
        _stamp(duplicate, actor)
        duplicate.save(update_fields=["merged_into", "updated_at"])
    return item


@transaction.atomic
def intelligence_item_close(*, actor, item: Item) -> Item:
    access.require(access.can_close(actor, item))
    item = _locked(item)
    item.status = Status.CLOSED
    item.for_next_meeting = False
    _stamp(item, actor)
    item.save(update_fields=["status", "for_next_meeting", "updated_at"])
    return item


# Who read what ---------------------------------------------------------------------------------


def intelligence_item_record_view(*, user, item: Item, channel: str = "page") -> None:
    """A reader opened the item: remember that they saw it, and log the read unless it is shared
    with the QSG's members and attributed (those reads are the normal course of business;
    `access.is_logged`)."""
    items_seen(user=user, items=[item], channel=channel)


def items_seen(*, user, items: Iterable[Item], channel: str = "page") -> None:
    """The same for many items at once (exports): two INSERTs whatever the number."""
    items = list(items)
    if not items or not getattr(user, "is_authenticated", False):
        return
    ItemSighting.objects.bulk_create(
        [
            ItemSighting(
                item_id=i.pk,
                user_id=user.pk,
                organisation_id=user.organisation_id,
                distribution=i.distribution,
            )
            for i in items
            if user.organisation_id
        ],
        ignore_conflicts=True,
    )
    reads_log(user=user, items=items, channel=channel)


def reads_log(*, user, items: Iterable[Item], channel: str) -> None:
    """Log these reads in the access log the secretariat reads (`access.is_logged` items only),
    in one INSERT. A list read through the API logs here without counting as a sighting."""
    if not getattr(user, "is_authenticated", False):
        return
    IntelligenceAccess.objects.bulk_create(
        [
            IntelligenceAccess(
                item_id=i.pk,
                user_id=user.pk,
                organisation_id=user.organisation_id,
                distribution=i.distribution,
                channel=channel,
            )
            for i in items
            if access.is_logged(i)
        ]
    )
