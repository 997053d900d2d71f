"""The agenda: annex C/D templates, items, their order, and adding proposed items."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from qsg.models import Organisation, Provider
from qsg.vocabulary import say_lazy
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import AgendaItem, Meeting
from surveillance.meetings.services._common import _record_editable, _stamp, screen_pid

LOCAL_TEMPLATE = [
    ("Welcome and introductions", "Chair", 5, AgendaItem.Kind.STANDARD),
    ("Previous note and matters arising", "Chair", 10, AgendaItem.Kind.MATTERS_ARISING),
    (say_lazy("Update from the regional QSG"), "Chair", 10, AgendaItem.Kind.REPORT),
    ("Overview of local information", "All", 30, AgendaItem.Kind.REPORT),
    (
        "Any additional information participants wish to share",
        "All",
        20,
        AgendaItem.Kind.INTELLIGENCE,
    ),
    (
        "Reflection and summary of the information known and shared",
        "All",
        10,
        AgendaItem.Kind.STANDARD,
    ),
    ("Agree principal risks or concerns", "All", 15, AgendaItem.Kind.STANDARD),
    ("Confirm consensus and agree next steps", "All", 10, AgendaItem.Kind.STANDARD),
    ("Date, time and venue of next meeting", "Chair", 5, AgendaItem.Kind.STANDARD),
]
REGIONAL_TEMPLATE = [
    ("Welcome and introduction", "Regional director (chair)", 5, AgendaItem.Kind.STANDARD),
    ("Previous note and matters arising", "Chair", 10, AgendaItem.Kind.MATTERS_ARISING),
    ("Overview of regional information", "All", 30, AgendaItem.Kind.REPORT),
    (say_lazy("Reports from local QSGs"), "Area directors", 40, AgendaItem.Kind.REPORT),
    (
        "Any additional information participants wish to share",
        "All",
        20,
        AgendaItem.Kind.INTELLIGENCE,
    ),
    (
        "Reflection and summary of the information known and shared",
        "All",
        10,
        AgendaItem.Kind.STANDARD,
    ),
    ("Reflection on meeting process and information supplied", "All", 5, AgendaItem.Kind.STANDARD),
    (
        "Confirm consensus on good practice and concern, and agree next steps",
        "All",
        10,
        AgendaItem.Kind.STANDARD,
    ),
    ("Date and format of future meetings", "Chair", 5, AgendaItem.Kind.STANDARD),
]


def _next_position(meeting: Meeting) -> int:
    top = AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("position"))["m"]
    return (top or 0) + 10


CLOSING_FROM = 6  # template items from the sixth on close the meeting; new items go before them


def _renumber(meeting: Meeting, *, new: AgendaItem | None = None) -> None:
    """Positions 10, 20, ...; a new item goes before the template's closing items."""
    items = list(
        AgendaItem.objects.select_for_update()
        .filter(meeting=meeting)
        .exclude(pk=getattr(new, "pk", None))
        .order_by("position", "pk")
    )
    if new is not None:
        closing = next(
            (
                i
                for i, x in enumerate(items)
                if x.source == "template"
                and x.source_key.rsplit("-", 1)[-1].isdigit()
                and int(x.source_key.rsplit("-", 1)[-1]) >= CLOSING_FROM
            ),
            len(items),
        )
        items.insert(closing, new)
    for n, x in enumerate(items, start=1):
        if x.position != n * 10:
            x.position = n * 10
            x.save(update_fields=["position"])


@transaction.atomic
def agenda_apply_template(*, actor, meeting: Meeting) -> int:
    """Add the annex C (regional) or D (local) items not already on the agenda. Idempotent.

    The template's "matters arising" item is the matters arising source's item: it lists the
    open actions, and is not proposed again."""
    _record_editable(meeting)
    template = LOCAL_TEMPLATE if meeting.qsg.is_local else REGIONAL_TEMPLATE
    existing = set(
        AgendaItem.objects.filter(meeting=meeting)
        .exclude(source_key="")
        .values_list("source", "source_key")
    )
    arising = {s.key: s for s in selectors_meetings.source_matters_arising(actor, meeting)}.get(
        "open-actions"
    )
    added = 0
    keys: list[tuple[str, str]] = []
    for index, (title, presenter, minutes, kind) in enumerate(template):
        key = f"{'local' if meeting.qsg.is_local else 'regional'}-{index + 1}"
        source, source_key, description, providers = "template", key, "", []
        if kind == AgendaItem.Kind.MATTERS_ARISING:
            source, source_key = "matters_arising", "open-actions"
            if arising is not None:
                description = arising.reason
                providers = list(Provider.objects.filter(pk__in=arising.provider_ids))
        keys.append((source, source_key))
        if (source, source_key) in existing:
            continue
        item = AgendaItem(
            meeting=meeting,
            position=0,
            title=title,
            presenter=presenter,
            duration_minutes=minutes,
            kind=kind,
            description=description,
            source=source,
            source_key=source_key,
        )
        item.full_clean(validate_constraints=False)
        _stamp(item, actor)
        item.save()
        if providers:
            item.providers.set(providers)
        added += 1
    # Opening template items, then everything else as it was, then the closing items.
    items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position", "pk"))
    by_key = {(i.source, i.source_key): i for i in items}
    template_items = [by_key[k] for k in keys if k in by_key]
    opening = template_items[: CLOSING_FROM - 1]
    closing = template_items[CLOSING_FROM - 1 :]
    middle = [i for i in items if i not in template_items]
    for n, item in enumerate([*opening, *middle, *closing], start=1):
        if item.position != n * 10:
            item.position = n * 10
            item.save(update_fields=["position"])
    return added


def _agenda_fields_check(title: str, description: str, papers: str, presenter: str = "") -> None:
    if not title.strip():
        raise ValidationError({"title": "Enter a title for the item"})
    screen_pid(
        {
            "title": ("Title", title),
            "description": ("Description", description),
            "papers": ("Papers", papers),
            "presenter": ("Presenter", presenter),
        },
        allow={"presenter": ("personal_name",)},  # who presents: a person's own name
    )


@transaction.atomic
def agenda_item_create(
    *,
    actor,
    meeting: Meeting,
    title: str,
    kind: str = AgendaItem.Kind.STANDARD,
    description: str = "",
    presenter: str = "",
    presenter_organisation: Organisation | None = None,
    duration_minutes: int = 10,
    papers: str = "",
    is_confidential: bool = False,
    providers: Iterable[Provider] = (),
    source: str = "",
    source_key: str = "",
    intelligence_item_ids: Iterable[int] = (),
) -> AgendaItem:
    _record_editable(meeting)
    _agenda_fields_check(title, description, papers, presenter)
    item = AgendaItem(
        meeting=meeting,
        position=_next_position(meeting),
        title=title.strip(),
        kind=kind,
        description=description,
        presenter=presenter,
        presenter_organisation=presenter_organisation,
        duration_minutes=duration_minutes,
        papers=papers,
        is_confidential=is_confidential,
        source=source,
        source_key=source_key,
        intelligence_item_ids=sorted(set(intelligence_item_ids)),
    )
    item.full_clean(validate_constraints=False)
    _stamp(item, actor)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise ValidationError("That is already on the agenda") from None
    _renumber(meeting, new=item)
    providers = list(providers)
    if providers:
        item.providers.set(providers)
    return item


@transaction.atomic
def agenda_item_update(
    *, actor, item: AgendaItem, providers: Iterable[Provider] | None = None, **changes
) -> AgendaItem:
    _record_editable(item.meeting)
    allowed = {
        "title",
        "kind",
        "description",
        "presenter",
        "presenter_organisation",
        "duration_minutes",
        "papers",
        "is_confidential",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}")
    _agenda_fields_check(
        changes.get("title", item.title),
        changes.get("description", item.description),
        changes.get("papers", item.papers),
        changes.get("presenter", item.presenter),
    )
    for key, value in changes.items():
        setattr(item, key, value)
    item.full_clean(validate_constraints=False)
    _stamp(item, actor)
    if changes:
        item.save(update_fields=list(changes))
    if providers is not None:
        item.providers.set(list(providers))
    return item


@transaction.atomic
def agenda_item_delete(*, actor, item: AgendaItem) -> None:
    _record_editable(item.meeting)
    if item.passages.exists() or item.conclusions.exists():
        raise ValidationError(
            "This item has a record of discussion or conclusions in the note. Remove those first."
        )
    _stamp(item, actor)
    item.delete()


@transaction.atomic
def agenda_item_move(*, actor, item: AgendaItem, direction: str) -> None:
    """Swap with the neighbour above or below (positions are renumbered 10, 20, ...)."""
    _record_editable(item.meeting)
    items = list(
        AgendaItem.objects.select_for_update()
        .filter(meeting_id=item.meeting_id)
        .order_by("position", "pk")
    )
    index = next(i for i, x in enumerate(items) if x.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for n, x in enumerate(items, start=1):
        if x.position != n * 10:
            x.position = n * 10
            x.save(update_fields=["position"])


@transaction.atomic
def agenda_add_suggestions(*, actor, meeting: Meeting, tokens: Iterable[str]) -> int:
    """Add the ticked proposals. They are recomputed for the actor, so nothing unseen gets in;
    proposals already added are skipped, so a double submit adds each once."""
    wanted = set(tokens)
    added = 0
    providers = (
        {p.pk: p for p in Provider.objects.filter(qsg_id=meeting.qsg_id)}
        if meeting.qsg.is_local
        else {}
    )
    for _, _, proposals in selectors_meetings.agenda_suggestions(actor, meeting):
        for s in proposals:
            if s.token not in wanted:
                continue
            linked = [providers[i] for i in s.provider_ids if i in providers]
            if len(linked) < len(s.provider_ids):
                linked = list(Provider.objects.filter(pk__in=s.provider_ids))
            try:
                agenda_item_create(
                    actor=actor,
                    meeting=meeting,
                    title=s.title[:200],
                    kind=s.kind,
                    description=s.reason[:2000],
                    presenter=s.presenter,
                    duration_minutes=s.duration,
                    is_confidential=s.confidential,
                    providers=linked,
                    source=s.source,
                    source_key=s.key,
                    intelligence_item_ids=s.intelligence_item_ids,
                )
            except ValidationError:
                continue
            added += 1
    return added
