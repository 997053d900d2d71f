"""Reads for the intelligence pages: filters, search, attribution, corroboration, timelines.

Every queryset here starts from `access.items_for(user)`, so a filter, a search or an export
can only narrow what the person may already see. Attribution (which organisation submitted an
item) is decided once, by `sees_attribution`, and every page and export asks it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value

from qsg.access import principal
from qsg.audit import history_rows
from qsg.models import QSG, Organisation
from surveillance.intelligence import access
from surveillance.intelligence.models import Corroboration, IntelligenceAccess, IntelligenceItem

Item = IntelligenceItem
NOT_ATTRIBUTED = "Not attributed"


def _item_list_related(qs: QuerySet[Item]) -> QuerySet[Item]:
    return qs.select_related("qsg", "theme", "submitting_organisation").prefetch_related(
        "providers"
    )


def attribution(user, item: Item) -> str:
    if access.sees_attribution(user, item):
        return item.submitting_organisation.name
    return NOT_ATTRIBUTED


SEARCH_MAX = 200
# Newest submitted first. Drafts (no submitted_at) never show in the list; NULLS LAST keeps them
# at the far end of the `intel_item_submitted` index (migration 0010, PostgreSQL), so a page
# walks it without visiting them.
NEWEST_FIRST = (F("submitted_at").desc(nulls_last=True), F("id").desc())


def search_text(text: str | None) -> str:
    """What `search` searches for ("" for no search)."""
    return (text or "").replace("\x00", " ").strip()[:SEARCH_MAX]


# A reference, or the start of one ("INT-2026-0001"): searched by prefix on the reference alone
# (references are upper case; the unique column's `varchar_pattern_ops` index serves the prefix),
# not as words: the words of a reference ("int", "2026") are in nearly every item.
REFERENCE = re.compile(r"INT-[0-9A-Z-]*", re.IGNORECASE)
# A search counts its matches up to this many (the page says "more than"): a common word matches
# tens of thousands of items nationally, and counting every one reads every one from the table.
# Past the cap the matches are listed newest first: ranking them would read every one too.
SEARCH_COUNT_CAP = 1000


def is_reference(text: str | None) -> bool:
    return bool(REFERENCE.fullmatch(search_text(text)))


def search(qs: QuerySet[Item], text: str) -> QuerySet[Item]:
    """Narrow `qs` to the items matching `text`, annotated with `rank` (higher is better).

    A reference (or its start) matches by prefix on the reference; other text is a PostgreSQL
    full-text search (websearch syntax, English stemming) on the item's stored search vector,
    ranked by `ts_rank`; on SQLite (the demo) a plain substring match, unranked. Pages and the
    API both search through here. NUL characters (which PostgreSQL refuses in a query) are
    dropped and the text is capped, so no search string can end in a 500.
    """
    text = search_text(text)
    if not text:
        return qs
    if is_reference(text):
        return qs.filter(reference__startswith=text.upper()).annotate(rank=Value(1.0))
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = SearchQuery(text, config="english", search_type="websearch")
        return qs.filter(search=query).annotate(rank=SearchRank(F("search"), query))
    return qs.filter(
        Q(summary__icontains=text)
        | Q(details__icontains=text)
        | Q(service_site__icontains=text)
        | Q(reference__icontains=text)
    ).annotate(rank=Value(1.0))


def best_first(qs: QuerySet[Item], text: str | None, *newest) -> QuerySet[Item]:
    """A searched list's order: best match first, then newest (`newest`); unsearched, newest."""
    newest = newest or NEWEST_FIRST
    if search_text(text):
        return qs.order_by(F("rank").desc(), *newest)
    return qs.order_by(*newest)


def visible_items(user, items: QuerySet[Item] | None = None) -> QuerySet[Item]:
    """What the list shows: submitted items this person may see (drafts are on their own page).

    `items`: one visibility arm of `access.item_arms_for(user)` instead of `items_for(user)`.
    """
    items = access.items_for(user) if items is None else items
    return items.exclude(status=Item.Status.DRAFT)


def filtered_items(user, data: dict, items: QuerySet[Item] | None = None) -> QuerySet[Item]:
    """The list, filtered by the (validated) filter form's data (`items`: see visible_items)."""
    qs = visible_items(user, items)
    if data.get("provider"):
        through = Item.providers.through
        linked = through.objects.filter(provider_id=data["provider"])
        qs = qs.filter(pk__in=linked.values("intelligenceitem_id"))
    if data.get("qsg"):
        qs = qs.filter(qsg=data["qsg"])
    if data.get("theme"):
        qs = qs.filter(theme=data["theme"])
    if data.get("dimension"):
        qs = qs.filter(quality_dimension=data["dimension"])
    if data.get("source_type"):
        qs = qs.filter(source_type=data["source_type"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("organisation"):
        qs = qs.filter(access.attributable_q(user), submitting_organisation=data["organisation"])
    if data.get("observed_after"):
        qs = qs.filter(
            Q(observed_to__gte=data["observed_after"])
            | Q(observed_to__isnull=True, observed_from__gte=data["observed_after"])
        )
    if data.get("observed_before"):
        qs = qs.filter(observed_from__lte=data["observed_before"])
    qs = search(qs, data.get("q") or "")
    return best_first(_item_list_related(qs), data.get("q"))


def filtered_item_parts(user, data: dict) -> list[QuerySet[Item]]:
    """`filtered_items` once per visibility arm: their union is the list, for counting it
    (`qsg.pagination.UnionCountPaginator`)."""
    return [filtered_items(user, data, arm) for arm in access.item_arms_for(user)]


def count_by_arms(text: str | None) -> bool:
    """Whether to count a list as the UNION of its visibility arms (`filtered_item_parts`).

    Yes unless it searches: each arm is then an index-only scan and no heap page is read. A
    search has to read its matches from the heap whichever way it is counted, and the arms would
    each repeat the full-text index scan, so it is counted over their OR instead, and only up to
    `SEARCH_COUNT_CAP` (`count_cap`; docs/benchmarks-intelligence.md).
    """
    return not search_text(text)


def count_cap(text: str | None) -> int | None:
    """How far a list is counted: searches up to `SEARCH_COUNT_CAP`, other lists exactly."""
    return SEARCH_COUNT_CAP if search_text(text) else None


def filter_choices(user) -> dict:
    """The filter form's choices: only what this person could find anyway."""
    from qsg.access import providers_for, qsgs_for

    p = principal(user)
    visible_orgs = Organisation.objects.filter(pk__in=_attributed_organisation_ids(user))
    visible_orgs = visible_orgs.order_by("name")
    return {
        "providers": providers_for(user).order_by("name"),
        "qsgs": qsgs_for(user).order_by("name") if p.qsg_ids else QSG.objects.none(),
        "organisations": visible_orgs,
    }


def _attributed_organisation_ids(user) -> list[int]:
    """The organisations that submitted an item this person sees attributed (one query).

    Asked of each visibility arm and put together with UNION: the arms' indexes cover the
    columns it reads (migration 0018), so each is an index-only scan, where the OR of the arms
    read every visible item from the table (docs/benchmarks-intelligence.md).
    """
    parts = [
        visible_items(user, arm)
        .filter(access.attributable_q(user))
        .order_by()  # no ORDER BY (the model's would read the table)
        .values_list("submitting_organisation_id", flat=True)
        for arm in access.item_arms_for(user)
    ]
    if not parts:
        return []
    return sorted(set(parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]))


def drafts_for(user) -> QuerySet[Item]:
    return (
        access.drafts_for(user)
        .select_related("qsg")
        .prefetch_related("providers")
        .order_by("-updated_at")
    )


@dataclass(frozen=True)
class CorroborationSummary:
    count: int
    names: list[str]  # empty unless the reader is the QSG's secretariat
    ours: bool


def corroboration_summary(user, item: Item) -> CorroborationSummary:
    p = principal(user)
    rows = list(
        Corroboration.objects.filter(item=item)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    names = [r.organisation.name for r in rows] if access.sees_corroborators(user, item) else []
    return CorroborationSummary(
        count=len(rows),
        names=names,
        ours=any(r.organisation_id == p.organisation_id for r in rows),
    )


def corroboration_counts(items) -> dict[int, int]:
    ids = [i.pk for i in items]
    if not ids:
        return {}
    rows = (
        Corroboration.objects.filter(item_id__in=ids)
        .values("item_id")
        .annotate(n=Count("id"))
        .values_list("item_id", "n")
    )
    return dict(rows)


def provider_timeline(user, provider, limit: int = 50) -> list[Item]:
    qs = visible_items(user).filter(providers=provider)
    return list(
        qs.select_related("qsg", "theme", "submitting_organisation").order_by(
            "-observed_from", "-id"
        )[:limit]
    )


def triage_queue(user) -> QuerySet[Item]:
    """New submissions in the QSGs this person runs the secretariat of."""
    return _item_list_related(access.triage_queue_for(user))


def access_log_for(user) -> QuerySet[IntelligenceAccess]:
    """The access log of items in the QSGs this person runs the secretariat of."""
    return (
        IntelligenceAccess.objects.filter(item__qsg_id__in=principal(user).managed_qsg_ids)
        .select_related("item", "user", "organisation", "item__qsg")
        .order_by("-at", "-id")
    )


QUIET_FIELDS = {"triaged at", "triaged by", "submitted at", "idempotency key"}


def item_history(user, item: Item) -> list[dict]:
    """The item's change history since it was submitted; who made a change is hidden where
    attribution is."""
    rows = history_rows(item.history.exclude(status=Item.Status.DRAFT), limit=50)
    for row in rows:
        row["changes"] = [c for c in row["changes"] if str(c["field"]) not in QUIET_FIELDS]
    # A change of quiet fields only (the submission's own stamps) says nothing to a reader.
    rows = [r for r in rows if r["changes"] or r["action"] != "Changed"]
    if access.sees_attribution(user, item):
        return rows
    # Anyone from the submitting organisation would give it away: hide every name.
    for row in rows:
        row["who"] = NOT_ATTRIBUTED
    return rows


def possible_duplicates(user, item: Item, limit: int = 10) -> list[Item]:
    """Other items of the same QSG about the same providers, for the secretariat to merge."""
    return list(
        access.items_for(user)
        .filter(qsg_id=item.qsg_id, providers__in=item.providers.all(), merged_into__isnull=True)
        .exclude(pk=item.pk)
        .exclude(status=Item.Status.DRAFT)
        .distinct()
        .order_by("-submitted_at", "-id")[:limit]
    )
