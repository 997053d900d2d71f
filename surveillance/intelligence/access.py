"""Who sees which intelligence item: the one place that decides it.

Built on `qsg.access.principal(user)`. Every page, API endpoint, export, search, PDF and job
that reads intelligence goes through `items_for(user)` or `item_for_user(user, pk)`.

The rules (docs/architecture.md, "Soft intelligence"):

* **A role in the QSG is needed to read its intelligence** (or, for the regional team, the
  oversight of it: `qsg.access.Principal.qsg_ids`). An organisation's membership of other QSGs
  gives nothing here. The one exception: **the submitter always sees their own item**.
* **Drafts** are seen by their author only.
* **The submitting organisation's people in the QSG** see every submitted item it holds there,
  whatever the status.
* **The QSG team** (secretariat and chair of the QSG the item is submitted to) sees every
  submitted item of that QSG; only the secretariat triages and sees who submitted an item
  marked "do not attribute".
* **Everyone else** sees an item only once it is *released* (triaged or later; or submitted to
  a QSG that has turned moderation off), and then as its distribution says:
  - my organisation only: nobody else;
  - this QSG's members: people holding a role (secretariat, chair, member, observer) in the QSG;
  - this QSG and its regional QSG: those, and the people holding a role in the regional QSG
    (its secretariat, chair, members and regional reviewers);
  - named organisations: people of the organisations named on the item who see the QSG.
* Only the submitter and the QSG's secretariat change an item's sharing.
* Outsiders get 404; lists and searches leave the item out, and so do counts.

`scope_for(user)` resolves, once per request (two small queries on top of the principal), what
the rules need; `items_for` turns it into one WHERE clause the database answers from indexes
(the OR of `visibility_arms`; `item_arms_for` gives the arms one by one, for fast counts),
and `can_see(scope, item)` is the same rule in Python (tests prove they agree).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import F, Q, QuerySet

from qsg.access import Principal, not_found, principal, require, visible_qsgs
from qsg.lookups import AnyOf
from qsg.models import QSG, QSGRole
from surveillance.intelligence.models import RELEASED_STATUSES, IntelligenceItem

RELEASED_OR_SUBMITTED = RELEASED_STATUSES | {IntelligenceItem.Status.SUBMITTED}
SUBMITTED_STATUSES = sorted(RELEASED_OR_SUBMITTED)  # everything but drafts

Role = QSGRole.Role
Status = IntelligenceItem.Status
Distribution = IntelligenceItem.Distribution
# Above this many items shared by name with one organisation, the clause uses a subquery
# rather than a literal list of ids.
NAMED_INLINE_MAX = 10000


@dataclass(frozen=True)
class Scope:
    """What one user reaches in intelligence, resolved once per request."""

    principal: Principal
    role_qsg_ids: frozenset[int]  # QSGs where the user holds a role (the QSG's members)
    seen_qsg_ids: frozenset[
        int
    ]  # role_qsg_ids and the local QSGs the user's regional team oversees
    team_qsg_ids: frozenset[int]  # QSGs where the user is secretariat or chair
    managed_qsg_ids: frozenset[int]  # QSGs where the user is secretariat
    region_qsg_ids: frozenset[int]  # local QSGs whose regional QSG the user holds a role in
    unmoderated_qsg_ids: frozenset[int]  # QSGs with moderation turned off
    # Items shared by name with the user's organisation; None when there are too many to
    # inline (the clause then uses a subquery).
    named_item_ids: frozenset[int] | None = frozenset()

    @property
    def user_id(self) -> int | None:
        return self.principal.user_id

    @property
    def organisation_id(self) -> int | None:
        return self.principal.organisation_id

    @property
    def is_anonymous(self) -> bool:
        return self.principal.is_anonymous

    def manages(self, qsg_id: int) -> bool:
        return qsg_id in self.managed_qsg_ids


def scope_for(user) -> Scope:
    cached = getattr(user, "_intel_scope", None)
    if cached is not None:
        return cached
    p = principal(user)
    roles = {q: r for q, r in p.roles.items() if r}
    role_ids = frozenset(roles)
    team = p.team_qsg_ids
    managed = frozenset(p.managed_qsg_ids)
    region: frozenset[int] = frozenset()
    unmoderated: frozenset[int] = frozenset()
    if not p.is_anonymous:
        # Every QSG, in one small query (a few dozen rows nationally): the locals under regions
        # the person belongs to, and those without moderation (a named organisation may sit
        # outside the QSG).
        rows = list(QSG.objects.values_list("pk", "regional_qsg_id", "moderation_enabled"))
        region = frozenset(pk for pk, regional, _ in rows if regional in role_ids) | frozenset(
            p.overseen
        )
        unmoderated = frozenset(pk for pk, _, moderated in rows if not moderated)
    scope = Scope(
        principal=p,
        role_qsg_ids=role_ids,
        seen_qsg_ids=frozenset(p.qsg_ids),
        team_qsg_ids=team,
        managed_qsg_ids=managed,
        region_qsg_ids=region,
        unmoderated_qsg_ids=unmoderated,
        named_item_ids=(
            _named_item_ids(p.organisation_id, unmoderated, frozenset(p.qsg_ids))
            if not p.is_anonymous
            else frozenset()
        ),
    )
    if not p.is_anonymous:
        user._intel_scope = scope
    return scope


def takes_part(user) -> bool:
    """Whether `scope_for(user).role_qsg_ids` has a QSG (the person holds a role somewhere),
    from the principal alone: the navigation asks on every page, and most pages need no more
    of the scope (its two queries)."""
    return any(principal(user).roles.values())


def forget(user) -> None:
    for attr in ("_intel_scope", "_qsg_principal", "_qsg_statutory", "_qsg_visible"):
        if hasattr(user, attr):
            delattr(user, attr)


def _named_item_ids(
    org_id: int | None, unmoderated: frozenset[int], qsg_ids: frozenset[int]
) -> frozenset[int] | None:
    """Released items of the QSGs the user sees, shared by name with the organisation (the
    status and QSG are checked here, so the list clause is a plain primary-key condition)."""
    if org_id is None or not qsg_ids:
        return frozenset()
    through = IntelligenceItem.named_organisations.through
    released = Q(intelligenceitem__status__in=RELEASED_STATUSES)
    if unmoderated:
        released |= Q(
            intelligenceitem__status=Status.SUBMITTED,
            intelligenceitem__qsg_id__in=sorted(unmoderated),
        )
    ids = list(
        through.objects.filter(
            released, organisation_id=org_id, intelligenceitem__qsg_id__in=sorted(qsg_ids)
        ).values_list("intelligenceitem_id", flat=True)[: NAMED_INLINE_MAX + 1]
    )
    return None if len(ids) > NAMED_INLINE_MAX else frozenset(ids)


def _released(qsg_ids: frozenset[int], scope: Scope, **extra) -> list[Q]:
    """Released items of these QSGs: triaged or later, or submitted where moderation is off.

    Split by QSG so that each arm is a plain conjunction the (qsg, distribution, status) index
    answers.
    """
    unmoderated = qsg_ids & scope.unmoderated_qsg_ids
    moderated = qsg_ids - unmoderated
    arms = []
    if moderated:
        arms.append(Q(qsg_id__in=sorted(moderated), status__in=sorted(RELEASED_STATUSES), **extra))
    if unmoderated:
        arms.append(Q(qsg_id__in=sorted(unmoderated), status__in=SUBMITTED_STATUSES, **extra))
    return arms


def visibility_arms(scope: Scope) -> list[Q]:
    """The rules above, for `scope`, as arms whose OR is what the user sees.

    Each arm is a plain conjunction that one index answers exactly, so PostgreSQL turns their
    OR into one BitmapOr with no filter on top, and a count can add up the arms as a UNION of
    index-only scans (`item_arms_for`). No arm for an anonymous user (nothing is visible).
    """
    if scope.is_anonymous:
        return []
    arms = [Q(submitted_by_id=scope.user_id)]
    if scope.seen_qsg_ids:
        arms.append(
            Q(
                submitting_organisation_id=scope.organisation_id,
                qsg_id__in=sorted(scope.seen_qsg_ids),
                status__in=SUBMITTED_STATUSES,
            )
        )
    if scope.team_qsg_ids:
        arms.append(Q(qsg_id__in=sorted(scope.team_qsg_ids), status__in=SUBMITTED_STATUSES))
    arms += _released(
        scope.role_qsg_ids, scope, distribution__in=[Distribution.QSG, Distribution.REGION]
    )
    arms += _released(scope.region_qsg_ids, scope, distribution=Distribution.REGION)
    if scope.named_item_ids is None:
        through = IntelligenceItem.named_organisations.through
        named = through.objects.filter(organisation_id=scope.organisation_id)
        released = Q(status__in=RELEASED_STATUSES)
        if scope.unmoderated_qsg_ids:
            released |= Q(status=Status.SUBMITTED, qsg_id__in=sorted(scope.unmoderated_qsg_ids))
        arms.append(
            Q(
                pk__in=named.values("intelligenceitem_id"),
                distribution=Distribution.NAMED,
                qsg_id__in=sorted(scope.seen_qsg_ids),
            )
            & released
        )
    elif scope.named_item_ids:
        # Named organisations exist only while the distribution is "named" (the services clear
        # them otherwise), and the ids were checked for release when the scope was resolved.
        arms.append(Q(AnyOf(F("pk"), sorted(scope.named_item_ids))))
    return arms


def visibility_q(scope: Scope) -> Q:
    """The WHERE clause of the rules above, for `scope`: the OR of `visibility_arms`."""
    arms = visibility_arms(scope)
    return reduce(operator.or_, arms) if arms else Q(pk__in=[])


def items_for(user) -> QuerySet[IntelligenceItem]:
    """Every item the user may see (drafts only their own)."""
    scope = scope_for(user)
    if scope.is_anonymous:
        return IntelligenceItem.objects.none()
    return IntelligenceItem.objects.filter(visibility_q(scope))


def item_arms_for(user) -> list[QuerySet[IntelligenceItem]]:
    """`items_for(user)` as one queryset per visibility arm: their union is `items_for(user)`.

    For counting (`qsg.pagination.UnionCountPaginator`): a list narrows each arm exactly as it
    narrows `items_for`, and the count is the size of the union.
    """
    return [IntelligenceItem.objects.filter(arm) for arm in visibility_arms(scope_for(user))]


def drafts_for(user) -> QuerySet[IntelligenceItem]:
    scope = scope_for(user)
    if scope.is_anonymous:
        return IntelligenceItem.objects.none()
    return IntelligenceItem.objects.filter(submitted_by_id=scope.user_id, status=Status.DRAFT)


def is_released(scope: Scope, item: IntelligenceItem) -> bool:
    return item.status in RELEASED_STATUSES or (
        item.status == Status.SUBMITTED and item.qsg_id in scope.unmoderated_qsg_ids
    )


def can_see(
    scope: Scope, item: IntelligenceItem, *, named_org_ids=None, distribution: str | None = None
) -> bool:
    """The same rule as `visibility_q`, for one item in memory.

    `named_org_ids` are the item's named organisations (fetched if not given); `distribution`
    asks what the answer would be under another distribution.
    """
    if scope.is_anonymous:
        return False
    if item.submitted_by_id == scope.user_id:
        return True
    if item.status == Status.DRAFT:
        return False
    if (
        item.submitting_organisation_id == scope.organisation_id
        and item.qsg_id in scope.seen_qsg_ids
    ):
        return True
    if item.qsg_id in scope.team_qsg_ids:
        return True
    if not is_released(scope, item):
        return False
    return reaches(scope, item, distribution or item.distribution, named_org_ids=named_org_ids)


def reaches(scope: Scope, item, distribution: str, *, named_org_ids=None) -> bool:
    """Whether a released item with this distribution reaches the scope's user."""
    if distribution in (Distribution.QSG, Distribution.REGION) and item.qsg_id in (
        scope.role_qsg_ids
    ):
        return True
    if distribution == Distribution.REGION and item.qsg_id in scope.region_qsg_ids:
        return True
    if distribution == Distribution.NAMED:
        if item.qsg_id not in scope.seen_qsg_ids:
            return False
        if named_org_ids is None:
            named_org_ids = {o.pk for o in item.named_organisations.all()}
        return scope.organisation_id in set(named_org_ids)
    return False


def item_for_user(user, pk, *, manage: bool = False) -> IntelligenceItem:
    """One item, or 404 if the user may not see it. manage=True: 403 unless the QSG's secretariat."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise not_found() from None
    item = (
        items_for(user)
        .select_related("qsg", "theme", "submitting_organisation", "submitted_by", "merged_into")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise not_found()
    if manage:
        require(scope_for(user).manages(item.qsg_id))
    return item


def draft_for_user(user, pk) -> IntelligenceItem:
    """The author's own draft, or 404."""
    try:
        return drafts_for(user).get(pk=int(pk))
    except (IntelligenceItem.DoesNotExist, TypeError, ValueError):
        raise not_found() from None


# What a reader may do or see on an item they can see --------------------------------------------


def sees_attribution(user, item: IntelligenceItem) -> bool:
    """Whether the reader may see which organisation (and person) submitted the item: an item
    not marked "do not attribute", or the secretariat of its QSG, or the submitting
    organisation's own people. `attributable_q` is the same rule as a WHERE clause."""
    scope = scope_for(user)
    return (
        not item.do_not_attribute
        or scope.manages(item.qsg_id)
        or item.submitting_organisation_id == scope.organisation_id
    )


def attributable_q(user) -> Q:
    """`sees_attribution` as a WHERE clause (filtering or listing by submitting organisation);
    tests prove the two agree."""
    scope = scope_for(user)
    return (
        Q(do_not_attribute=False)
        | Q(qsg_id__in=sorted(scope.managed_qsg_ids))
        | Q(submitting_organisation_id=scope.organisation_id)
    )


def sees_corroborators(user, item: IntelligenceItem) -> bool:
    """Names of corroborating organisations: the secretariat only (others see counts)."""
    return scope_for(user).manages(item.qsg_id)


def can_triage(user, item: IntelligenceItem) -> bool:
    return scope_for(user).manages(item.qsg_id) and item.status != Status.DRAFT


def can_change_distribution(user, item: IntelligenceItem) -> bool:
    """The submitter or the QSG's secretariat (not the submitter's colleagues)."""
    scope = scope_for(user)
    return item.status != Status.DRAFT and (
        scope.manages(item.qsg_id)
        or (scope.user_id is not None and item.submitted_by_id == scope.user_id)
    )


def can_corroborate(user, item: IntelligenceItem) -> bool:
    """Another organisation's person who sees a submitted item."""
    scope = scope_for(user)
    return (
        not scope.is_anonymous
        and item.status != Status.DRAFT
        and item.submitting_organisation_id != scope.organisation_id
    )


def can_close(user, item: IntelligenceItem) -> bool:
    return item.status not in (Status.DRAFT, Status.CLOSED) and (
        scope_for(user).manages(item.qsg_id)
    )


def submittable_qsgs_for(user) -> QuerySet[QSG]:
    """QSGs the user may submit intelligence to: those where they hold a role."""
    return QSG.objects.filter(pk__in=scope_for(user).role_qsg_ids, is_active=True)


def can_submit_somewhere(user) -> bool:
    """Whether `submittable_qsgs_for` has a row, from the request's list of the person's QSGs."""
    ids = scope_for(user).role_qsg_ids
    return any(q.pk in ids and q.is_active for q in visible_qsgs(user))


def triage_queue_for(user) -> QuerySet[IntelligenceItem]:
    """Submitted, untriaged items of the QSGs the user is secretariat of, oldest first."""
    scope = scope_for(user)
    return IntelligenceItem.objects.filter(
        qsg_id__in=scope.managed_qsg_ids, status=Status.SUBMITTED
    ).order_by("submitted_at", "pk")


def is_logged(item: IntelligenceItem) -> bool:
    """Reads that go in the access log the secretariat reads: of an item shared other than with
    the QSG's members, or marked "do not attribute" (whatever its distribution). Pages, API
    (list and detail), CSV exports and every PDF (note, pack) carrying its words."""
    return item.distribution != Distribution.QSG or bool(item.do_not_attribute)


def access_log_for(user, item: IntelligenceItem):
    """The item's access log, for the secretariat of its QSG (403 for other readers)."""
    from surveillance.intelligence.models import IntelligenceAccess

    require(scope_for(user).manages(item.qsg_id))
    return IntelligenceAccess.objects.filter(item=item).select_related("user", "organisation")


# Records made from items ------------------------------------------------------------------------
#
# An agenda item, a pack section, a note passage or conclusion (anything made from or naming
# intelligence items) carries the ids of the items it came from. Its words are shown to a reader
# only if the reader may read every one of those items; otherwise they are replaced by one plain
# line. `withheld_ids` decides it (through `items_for`, so the rule is the items' own) and
# `inherit` applies it; pages, API, PDFs, packs and exports call these and nothing else.

NOT_SHARED = "item not shared with your organisation"


def not_shared_line(count: int) -> str:
    return (
        f"{count} {NOT_SHARED}"
        if count == 1
        else f"{count} items not shared with your organisation"
    )


def _ids(values) -> set[int]:
    out = set()
    for v in values or ():
        try:
            out.add(int(v))
        except (TypeError, ValueError):
            continue
    return out


def withheld_ids(reader, ids) -> frozenset[int]:
    """Of these intelligence item ids, those `reader` may not read (all of them for no reader)."""
    wanted = _ids(ids)
    if not wanted:
        return frozenset()
    if reader is None:
        return frozenset(wanted)
    seen = set(items_for(reader).filter(pk__in=sorted(wanted)).values_list("pk", flat=True))
    return frozenset(wanted - seen)


def withheld_from_any(readers, ids) -> frozenset[int]:
    """Of these item ids, those that any of `readers` may not read: for one file or report that
    serves them all (a summit's printed report, a local report), whose words print only if every
    one of them may read the items."""
    if not _ids(ids):
        return frozenset()
    withheld: set[int] = set()
    for reader in readers:
        withheld |= withheld_ids(reader, ids)
    return frozenset(withheld)


def inherit(rows, withheld, *, words, ids_key: str = "intelligence_item_ids") -> list[dict]:
    """Rows (plain dicts) made from intelligence items, as a reader sees them.

    A row naming an item in `withheld` keeps none of its `words`: the first becomes the plain
    "N items not shared with your organisation" line, the others are emptied ([], "" or None). Every
    row gets `withheld` (how many of its items the reader may not read, 0 if none).
    """
    withheld = frozenset(withheld)
    out = []
    for row in rows:
        hidden = len(_ids(row.get(ids_key)) & withheld)
        row = {**row, "withheld": hidden}
        if hidden:
            for n, key in enumerate(words):
                value = row.get(key)
                if n == 0:
                    row[key] = not_shared_line(hidden)
                else:
                    row[key] = (
                        []
                        if isinstance(value, list | tuple)
                        else ""
                        if isinstance(value, str)
                        else None
                    )
        out.append(row)
    return out


def inherit_for(reader, rows, *, words, ids_key: str = "intelligence_item_ids") -> list[dict]:
    """`inherit` with what `reader` may not read among the rows' items (one query)."""
    rows = list(rows)
    linked = set().union(*(_ids(r.get(ids_key)) for r in rows)) if rows else set()
    return inherit(rows, withheld_ids(reader, linked), words=words, ids_key=ids_key)
