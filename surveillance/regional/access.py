"""Who sees and changes local reports, the regional view, recommendations and assurance returns.

Built on `qsg.access.principal`:

* A local report is the local QSG's: its secretariat drafts, edits and submits it. A draft is
  for the local secretariat and chair; once submitted it is read by everyone who sees the local
  QSG (its participants, and the regional secretariat, chair and reviewers who oversee it).
* The regional view of a regional QSG is for anyone with a role there (secretariat, chair,
  reviewers, members, observers), and for the national team above it, read-only
  (`Principal.read_only`: it reads the submitted reports but never comments or recommends). What it shows comes through the same functions, so a regional
  member who does not oversee the locals sees only what their own access allows.
* Regional recommendations are sent by those who oversee the locals (the regional secretariat,
  chair and reviewers) to one of its local QSGs; they are read by those who see the local QSG
  and by people with a role in the regional QSG. The same people comment on and acknowledge a
  submitted local report.
* An assurance return belongs to its QSG: the secretariat completes and submits it; a draft is
  read by its secretariat and chair only; once submitted, everyone who sees the QSG reads it (so
  the region reads its locals' submitted returns).
* Not visible: 404. Visible but not yours to change: 403.
"""

from __future__ import annotations

import copy
import datetime as dt

from django.db.models import Q, QuerySet

from qsg.access import (
    OVERSIGHT_ROLES,
    READ_ROLES,
    not_found,
    principal,
    require,
    visible_qsgs,
)
from qsg.models import QSG, User
from surveillance.intelligence.access import inherit, withheld_from_any, withheld_ids
from surveillance.meetings.access import _int
from surveillance.regional.models import AssuranceReturn, LocalReport, RegionalRecommendation

# Local reports ---------------------------------------------------------------------------------


def reads_drafts(user, qsg_id: int) -> bool:
    p = principal(user)
    return p.is_team(qsg_id)


def local_reports_for(user) -> QuerySet[LocalReport]:
    p = principal(user)
    if p.is_anonymous:
        return LocalReport.objects.none()
    drafts = [q for q in p.qsg_ids if reads_drafts(user, q)]
    return LocalReport.objects.filter(
        Q(qsg_id__in=drafts) | Q(qsg_id__in=p.qsg_ids, status=LocalReport.Status.SUBMITTED)
    )


def local_report_for_user(user, pk, *, manage: bool = False) -> LocalReport:
    report = (
        local_reports_for(user)
        .select_related("qsg", "qsg__regional_qsg", "drafted_by", "submitted_by")
        .filter(pk=_int(pk))
        .first()
    )
    if report is None:
        raise not_found()
    if manage:
        require(principal(user).manages(report.qsg_id))
    return report


# The regional view -----------------------------------------------------------------------------


# Words of a local report made from intelligence --------------------------------------------------
#
# A section row made from intelligence items (a conclusion, the concerns drawn from it, an action,
# an item shared with the region) carries their ids. One report is read by everyone who sees the
# local QSG and the regional team over it, so a row keeps its words only if every one of them may
# read its items (`report_audience_withheld`, through `intelligence.access.withheld_ids`). The
# section's text is kept as passages, one per row, each with the ids of its row
# (`section_passages`); each reader gets a passage's words only if they may read every item it
# names, and the plain "N items not shared with your organisation" line in its place otherwise
# (`sections_as_read`), should an item's sharing have narrowed since: the rest of the section
# stays readable.


def report_audience_withheld(qsg: QSG, ids) -> frozenset[int]:
    """Of these items, those that someone who will read the local QSG's report may not read."""
    readers = User.objects.filter(
        Q(qsg_roles__qsg_id=qsg.pk, qsg_roles__role__in=sorted(READ_ROLES))
        | Q(qsg_roles__qsg_id=qsg.regional_qsg_id, qsg_roles__role__in=sorted(OVERSIGHT_ROLES)),
        is_active=True,
    ).distinct()
    return withheld_from_any(readers, ids)


def section_links(section) -> set[int]:
    """The items a section's kept rows were made from."""
    return {
        int(i)
        for row in section.rows or []
        if isinstance(row, dict) and not row.get("withheld")
        for i in row.get("intelligence_item_ids") or []
    }


def _ids(values) -> list[int]:
    out = set()
    for v in values if isinstance(values, list | tuple) else ():
        try:
            out.add(int(v))
        except (TypeError, ValueError):
            continue
    return sorted(out)


def section_passages(section) -> list[dict]:
    """The section's text as passages ({"text", "intelligence_item_ids"}), as saved.

    A section drafted before passages were kept, or whose passages no longer make up its text,
    is one passage made from every item of its kept rows: withheld whole from a reader who may
    not read one of them, as it always was. Nothing is rewritten in the database."""
    passages = [p for p in section.passages or [] if isinstance(p, dict)]
    if passages and "\n".join(str(p.get("text") or "") for p in passages) == section.text:
        return [
            {
                "text": str(p.get("text") or ""),
                "intelligence_item_ids": _ids(p.get("intelligence_item_ids")),
            }
            for p in passages
        ]
    return [{"text": section.text, "intelligence_item_ids": sorted(section_links(section))}]


def passages_as_read(passages: list[dict], withheld: frozenset[int]) -> list[dict]:
    """Passages as a reader with these `withheld` items reads them ({"text", "withheld"}):
    the passages that name a withheld item, taken together where they follow one another, become
    one plain line (`intelligence.access.inherit`); the others keep their words."""
    groups: list[dict] = []
    for p in passages:
        hidden = bool(set(p["intelligence_item_ids"]) & withheld)
        if hidden and groups and groups[-1]["hidden"]:
            last = groups[-1]
            last["intelligence_item_ids"] = sorted(
                set(last["intelligence_item_ids"]) | set(p["intelligence_item_ids"])
            )
            last["text"] += "\n" + p["text"]
            last["sources"].append(p)
        else:
            groups.append({**p, "hidden": hidden, "sources": [p]})
    read = inherit(groups, withheld, words=("text",))
    return [{"text": r["text"], "withheld": r["withheld"], "sources": r["sources"]} for r in read]


def sections_as_read(user, sections) -> list:
    """The sections as `user` may read them: copies, never saved, each with `passages` as read
    ({"text", "withheld"}) and `text` made of them."""
    sections = [copy.copy(s) for s in sections]
    passages = [section_passages(s) for s in sections]
    withheld = withheld_ids(
        user, {i for ps in passages for p in ps for i in p["intelligence_item_ids"]}
    )
    for section, ps in zip(sections, passages, strict=True):
        read = passages_as_read(ps, withheld)
        section.passages = [{"text": r["text"], "withheld": r["withheld"]} for r in read]
        section.text = "\n".join(r["text"] for r in read)
    return sections


def section_passages_after_edit(user, section, text: str) -> list[dict]:
    """The passages of `text`, typed by `user` over the section as they read it.

    A line kept from the draft keeps the items of its passage. The plain "not shared" line in
    place of passages `user` may not read stands for those passages again, words and items (an
    editor who may not read them does not remove them by saving). A line of the editor's own
    may repeat words of any row, so it is made from every item of the section."""
    before = section_passages(section)
    every = sorted({i for p in before for i in p["intelligence_item_ids"]})
    by_line: dict[str, set[int]] = {}
    for p in before:
        for line in p["text"].split("\n"):
            by_line.setdefault(line, set()).update(p["intelligence_item_ids"])
    withheld = withheld_ids(user, every)
    placeholders = [r for r in passages_as_read(before, withheld) if r["withheld"]]
    out: list[dict] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stands_for = next((r for r in placeholders if r["text"] == line), None)
        if stands_for is not None:
            placeholders.remove(stands_for)
            out.extend(stands_for["sources"])
        elif line in by_line or not line.strip():
            out.append({"text": line, "intelligence_item_ids": sorted(by_line.get(line, ()))})
        else:
            out.append({"text": line, "intelligence_item_ids": every})
    return out


def sees_region(user, region_id: int) -> bool:
    p = principal(user)
    return bool(p.roles_in(region_id)) or region_id in p.read_only


def regions_for(user) -> QuerySet[QSG]:
    p = principal(user)
    ids = [q for q in p.roles if p.roles_in(q)] + list(p.read_only)
    return QSG.objects.filter(pk__in=ids, level=QSG.Level.REGIONAL)


def regions_seen(user) -> list[QSG]:
    """`regions_for` as rows, by name, from the request's own list of the person's QSGs."""
    p = principal(user)
    ids = {q for q in p.roles if p.roles_in(q)} | set(p.read_only)
    rows = [q for q in visible_qsgs(user) if q.pk in ids and q.level == QSG.Level.REGIONAL]
    return sorted(rows, key=lambda q: (q.name, q.pk))


def region_for_user(user, pk, *, manage: bool = False) -> QSG:
    pk = _int(pk)
    if not sees_region(user, pk):
        raise not_found()
    region = QSG.objects.filter(pk=pk, level=QSG.Level.REGIONAL).first()
    if region is None:
        raise not_found()
    if manage:
        require(principal(user).manages(pk))
    return region


def oversees_locals_of(user, region_id: int) -> bool:
    """The regional secretariat, chair and reviewers: they review the region's locals."""
    p = principal(user)
    if p.is_team(region_id):
        return True
    return QSG.objects.filter(regional_qsg_id=region_id, pk__in=list(p.overseen)).exists()


def can_send_recommendations(user, region_id: int) -> bool:
    return oversees_locals_of(user, region_id)


def can_review(user, report: LocalReport) -> bool:
    """Comment on and acknowledge a submitted local report: those who oversee its QSG."""
    return report.is_locked and principal(user).oversees(report.qsg_id)


def recommendations_for(user) -> QuerySet[RegionalRecommendation]:
    p = principal(user)
    if p.is_anonymous:
        return RegionalRecommendation.objects.none()
    regions = [q for q in p.roles if p.roles_in(q)]
    return RegionalRecommendation.objects.filter(
        Q(local_qsg_id__in=p.qsg_ids) | Q(regional_qsg_id__in=regions)
    )


# Assurance returns -----------------------------------------------------------------------------


def assurance_returns_for(user) -> QuerySet[AssuranceReturn]:
    """Submitted returns for everyone who sees the QSG; a draft for its secretariat and chair
    only (as a local report's draft): the region does not read a return before it is sent."""
    p = principal(user)
    if p.is_anonymous:
        return AssuranceReturn.objects.none()
    drafts = [q for q in p.qsg_ids if reads_drafts(user, q)]
    return AssuranceReturn.objects.filter(
        Q(qsg_id__in=drafts) | Q(qsg_id__in=p.qsg_ids, status=AssuranceReturn.Status.SUBMITTED)
    )


def assurance_return_for_user(user, pk, *, manage: bool = False) -> AssuranceReturn:
    ret = assurance_returns_for(user).select_related("qsg").filter(pk=_int(pk)).first()
    if ret is None:
        raise not_found()
    if manage:
        require(principal(user).manages(ret.qsg_id))
    return ret


def parse_month(value: str) -> dt.date:
    """'2026-11' to the first of that month; anything else is a 404 (it is part of a URL)."""
    try:
        year, month = (int(x) for x in str(value).split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        raise not_found() from None
