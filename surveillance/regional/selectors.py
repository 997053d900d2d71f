"""Reads for the local report to the region, the regional view and regional feedback.

* `draft_sections(actor, qsg, start, end)` drafts a local report from the period's agreed notes
  (concerns per provider, conclusions, level changes, overdue actions), the risk summits that
  risksummits reports through `register_summit_source`, and the intelligence whose handling lets
  it leave the local QSG. Everything else is left out and counted.
* `regional_overview(user, region, start, end)` is the regional view, read through the same
  access functions as every page.
* `regional_feedback_for_meeting(user, meeting)` is what the meeting pack shows as feedback
  from the region (contract: /work/wt/REGIONAL_CONTRACT.md).

Results are plain data (dicts, lists, strings), so the report can freeze them in its rows.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from qsg import access as qsg_access
from qsg.models import QSG, Membership
from qsg.vocabulary import say
from surveillance.intelligence.access import inherit, inherit_for
from surveillance.intelligence.models import IntelligenceItem, Theme
from surveillance.meetings import access as am
from surveillance.meetings.models import (
    Action,
    AgendaItem,
    Conclusion,
    Meeting,
    MeetingNote,
    SurveillanceLogEntry,
)
from surveillance.regional import access as ar
from surveillance.regional import assurance
from surveillance.regional.models import (
    LocalReport,
    LocalReportSection,
    RegionalRecommendation,
)

AGREED = (MeetingNote.Status.AGREED, MeetingNote.Status.PUBLISHED)
Key = LocalReportSection.Key

# Themes a conclusion's key issues are matched against when the intelligence themes (data,
# owned by the intelligence work) are not there. Words as the guidance uses them.
FALLBACK_THEMES = (
    "Staffing",
    "Safeguarding",
    "Infection control",
    "Maternity",
    "Governance",
    "Leadership",
    "Patient experience",
    "Mortality",
    "Waiting times",
    "Medicines management",
    "Mental health",
    "Complaints",
    "Pressure ulcers",
    "Falls",
)


# Risk summits (filled by the risksummits app, which sits above this one) -------------------


SummitSource = Callable[..., list[dict[str, Any]]]
_SUMMIT_SOURCES: dict[str, SummitSource] = {}


def register_summit_source(key: str, fn: SummitSource) -> None:
    """risksummits registers `fn(user, *, qsg_ids, start, end)` returning the summits `user`
    may see about providers of those QSGs open at some time in the period, as dicts with
    provider_id, provider, qsg_id, reference, status, url."""
    _SUMMIT_SOURCES[key] = fn


def summits_in(user, *, qsg_ids: Iterable[int], start: dt.date, end: dt.date) -> list[dict]:
    rows: list[dict] = []
    for fn in _SUMMIT_SOURCES.values():
        rows.extend(fn(user, qsg_ids=list(qsg_ids), start=start, end=end))
    return rows


# Intelligence -------------------------------------------------------------------------------


def _item_theme(item) -> str:
    return item.theme.label if item.theme_id else ""


def leaves_local_qsg(item) -> bool:
    """Only "this QSG and its regional QSG" lets an item travel to the region."""
    return item.distribution == IntelligenceItem.Distribution.REGION


def intelligence_in(user, *, qsg_ids: Iterable[int], start: dt.date, end: dt.date) -> list:
    """Released items `user` may see, of these QSGs, submitted in the period."""
    from surveillance.intelligence import access as intelligence_access

    scope = intelligence_access.scope_for(user)
    items = (
        intelligence_access.items_for(user)
        .filter(
            qsg_id__in=list(qsg_ids),
            submitted_at__date__gte=start,
            submitted_at__date__lte=end,
        )
        .exclude(status=IntelligenceItem.Status.DRAFT)
        .select_related("theme")
        .prefetch_related("providers")
        .order_by("submitted_at", "pk")
    )
    return [i for i in items if intelligence_access.is_released(scope, i)]


GENERIC_WORDS = frozenset({"patient", "other", "the", "and", "of"})


def theme_keywords(label: str, code: str = "") -> tuple[str, ...]:
    """What a conclusion must say to raise a theme: its code as a phrase ("infection control")
    and the first word of its label ("Maternity", "Leadership"), unless that word is generic."""
    words = [code.replace("-", " ").lower()] if code else []
    first = label.split()[0].strip(",").lower() if label.split() else ""
    if first and first not in GENERIC_WORDS:
        words.append(first)
    return tuple(dict.fromkeys(words))


def theme_vocabulary() -> dict[str, tuple[str, ...]]:
    """Theme label -> keywords: the intelligence themes (data), or the fallback words."""
    rows = Theme.objects.filter(is_active=True).exclude(code="other").values_list("label", "code")
    vocabulary = {label: theme_keywords(label, code) for label, code in rows}
    return vocabulary or {label: theme_keywords(label) for label in FALLBACK_THEMES}


def themes_in_text(text: str, vocabulary: dict[str, tuple[str, ...]]) -> set[str]:
    lowered = text.lower()
    return {
        label
        for label, keywords in vocabulary.items()
        if any(re.search(r"\b" + re.escape(k), lowered) for k in keywords)
    }


# Drafting the local report ------------------------------------------------------------------


def _day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _agreed_conclusions(qsg_ids, start, end):
    return (
        Conclusion.objects.filter(
            note__meeting__qsg_id__in=list(qsg_ids),
            note__status__in=AGREED,
            note__meeting__starts_at__date__gte=start,
            note__meeting__starts_at__date__lte=end,
        )
        .select_related("provider", "category", "note__meeting", "note__meeting__qsg")
        .order_by("provider__name", "note__meeting__starts_at")
    )


REPORT_CONCLUSION_WORDS = ("rationale", "key_issues")


def _overdue_actions(qsg: QSG, end: dt.date, withheld: dict[str, int]) -> list[dict[str, Any]]:
    actions = []
    overdue = Action.objects.filter(
        Q(note__status__in=AGREED) | Q(note__isnull=True),  # transferred in: confidential
        qsg=qsg,
        status__in=Action.OPEN_STATUSES,
        due_date__lt=min(end, timezone.localdate()) + dt.timedelta(days=1),
    ).select_related("provider", "owner_organisation")
    for a in overdue.order_by("due_date", "number"):
        if a.due_date > end:
            continue
        if a.is_confidential:
            withheld["confidential actions"] += 1
            continue
        actions.append(
            {
                "reference": a.reference,
                "description": a.description,
                "provider": a.provider.name if a.provider else "",
                "owner": a.owner_organisation.name,
                "due": a.due_date.isoformat(),
                "intelligence_item_ids": list(a.intelligence_item_ids or []),
            }
        )
    return actions


@dataclass
class Draft:
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    withheld: dict[str, int] = field(default_factory=dict)


def draft_sections(actor, qsg: QSG, *, start: dt.date, end: dt.date) -> Draft:
    """The report's sections (text and rows) and what was withheld, by kind."""
    draft = Draft()
    withheld: dict[str, int] = defaultdict(int)

    meetings = list(
        Meeting.objects.filter(
            qsg=qsg,
            note__status__in=AGREED,
            starts_at__date__gte=start,
            starts_at__date__lte=end,
        ).order_by("starts_at")
    )

    conclusions = []
    for c in _agreed_conclusions([qsg.pk], start, end):
        if c.is_confidential:
            withheld["confidential conclusions"] += 1
            continue
        conclusions.append(
            {
                "provider_id": c.provider_id,
                "provider": c.provider.name,
                "ods_code": c.provider.ods_code,
                "category": c.category.label,
                "level": c.category.level,
                "keeps_on_agenda": c.category.keeps_on_agenda,
                "key_issues": c.key_issues,
                "rationale": c.rationale,
                "meeting_date": _day(c.note.meeting.starts_at).isoformat(),
                "intelligence_item_ids": list(c.intelligence_item_ids or []),
            }
        )

    escalation = escalation_rows(actor, qsg, start=start, end=end)

    # Rows made from intelligence keep their words only if all the report's readers may read it
    # (`access.report_audience_withheld`).
    actions = _overdue_actions(qsg, end, withheld)
    decisions = [d for r in escalation for d in r["decisions"]]
    audience_withheld = ar.report_audience_withheld(
        qsg, {i for r in conclusions + actions + decisions for i in r["intelligence_item_ids"]}
    )
    conclusions = inherit(conclusions, audience_withheld, words=REPORT_CONCLUSION_WORDS)
    actions = inherit(actions, audience_withheld, words=("description",))
    for r in escalation:
        r["decisions"] = inherit(r["decisions"], audience_withheld, words=("rationale",))
        r["intelligence_item_ids"] = sorted(
            {i for d in r["decisions"] if not d["withheld"] for i in d["intelligence_item_ids"]}
        )

    concerns: dict[str, list[str]] = defaultdict(list)
    concern_links: dict[str, set[int]] = defaultdict(set)
    for c in conclusions:
        if c["level"] > 0:
            concerns[c["provider"]].append(c["key_issues"] or c["rationale"])
            if not c["withheld"]:
                concern_links[c["provider"]] |= set(c["intelligence_item_ids"])

    levels = []
    entries = SurveillanceLogEntry.objects.filter(
        qsg=qsg, decided_on__gte=start, decided_on__lte=end
    ).select_related("provider", "category")
    for e in entries.order_by("decided_on", "pk"):
        if e.is_confidential:
            continue  # counted with its conclusion
        before = (
            SurveillanceLogEntry.objects.filter(
                provider_id=e.provider_id, decided_on__lt=e.decided_on
            )
            .select_related("category")
            .order_by("-decided_on", "-pk")
            .first()
        )
        if before is not None and before.level == e.level:
            continue
        levels.append(
            {
                "provider_id": e.provider_id,
                "provider": e.provider.name,
                "from": before.category.label if before else "",
                "to": e.category.label,
                "level": e.level,
                "decided_on": e.decided_on.isoformat(),
            }
        )

    summits = summits_in(actor, qsg_ids=[qsg.pk], start=start, end=end)

    intelligence = []
    for item in intelligence_in(actor, qsg_ids=[qsg.pk], start=start, end=end):
        if not leaves_local_qsg(item):
            withheld["intelligence items"] += 1
            continue
        intelligence.append(
            {
                "id": item.pk,
                "reference": item.reference,
                "summary": item.summary,
                "theme": _item_theme(item),
                "providers": [p.name for p in item.providers.all()],
                "intelligence_item_ids": [item.pk],
            }
        )

    def section(rows, fmt) -> dict[str, Any]:
        """Text, rows and passages: one passage a row, made from the row's items (none for a
        row whose words were already left out for the report's readers)."""
        passages = [
            {
                "text": fmt(r),
                "intelligence_item_ids": []
                if r.get("withheld")
                else sorted({int(i) for i in r.get("intelligence_item_ids") or []}),
            }
            for r in rows
        ]
        return {"text": "\n".join(p["text"] for p in passages), "rows": rows, "passages": passages}

    dates = ", ".join(f"{_day(m.starts_at):%-d %B %Y}" for m in meetings)
    summary = (
        f"{_count(len(meetings), 'meeting')} with an agreed note in the period"
        + (f" ({dates})" if meetings else "")
        + f". {_count(len({c['provider_id'] for c in conclusions}), 'provider')} concluded on, "
        f"{_count(len(levels), 'change')} of surveillance level, "
        f"{_count(len(summits), say('risk summit'))}, {_count(len(actions), 'overdue action')}, "
        f"{_count(sum(1 for r in escalation if r['level'] != 'routine'), 'provider')} above "
        "routine quality surveillance."
    )
    concern_rows = [
        {"provider": k, "issues": v, "intelligence_item_ids": sorted(concern_links[k])}
        for k, v in sorted(concerns.items())
    ]
    draft.sections = {
        Key.SUMMARY: {
            "text": summary,
            "rows": [],
            "passages": [{"text": summary, "intelligence_item_ids": []}],
        },
        Key.CONCERNS: section(
            concern_rows, lambda r: f"{r['provider']}: {' / '.join(r['issues'])}"
        ),
        Key.CONCLUSIONS: section(
            conclusions,
            lambda c: (
                f"{c['provider']} ({_uk(c['meeting_date'])}): {c['category']}. {c['rationale']}"
            ),
        ),
        Key.LEVELS: section(
            levels,
            lambda r: (
                f"{r['provider']}: {r['from']} to {r['to']} ({_uk(r['decided_on'])})"
                if r["from"]
                else f"{r['provider']}: {r['to']}, the first level recorded ({_uk(r['decided_on'])})"
            ),
        ),
        Key.ESCALATION: escalation_section(escalation),
        Key.RISK_SUMMITS: section(
            summits, lambda s: f"{s['reference']}: {s['provider']} ({s['status']})"
        ),
        Key.ACTIONS: section(
            actions,
            lambda a: f"{a['reference']} due {_uk(a['due'])} ({a['owner']}): {a['description']}",
        ),
        Key.INTELLIGENCE: section(
            intelligence,
            lambda i: (
                f"{i['reference']} ({i['theme'] or 'no theme'}): {i['summary']}"
                + (f" ({', '.join(i['providers'])})" if i["providers"] else "")
            ),
        ),
    }
    draft.withheld = dict(withheld)
    return draft


def escalation_rows(actor, qsg: QSG, *, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The escalation records of the group's footprint for its report (the escalation work's
    `report_rows`, read as the drafter): above routine quality surveillance, or decided on since
    the previous report (the day after its period; the period's start if there is none)."""
    from surveillance.escalation.selectors import report_rows

    previous = (
        LocalReport.objects.filter(qsg=qsg, period_end__lt=start)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    since = previous + dt.timedelta(days=1) if previous else start
    return report_rows(actor, qsg, since=since, end=end)


def _escalation_line(r: dict[str, Any]) -> str:
    line = f"{r['provider']}: {r['level_label']} since {_uk(r['since'])}"
    if r["level"] == "routine":
        return line + "."
    return (
        line
        + f"; lead organisation {r['lead'] or 'not named'}; review "
        + (f"by {_uk(r['review'])}" if r["review"] else "date not set")
        + f"; exit criteria met: {r['criteria_met']} of {r['criteria_total']}."
    )


def _decision_line(d: dict[str, Any]) -> str:
    if not d["from"]:
        move = f"placed at {d['to']}"
    elif d["from"] == d["to"]:
        move = f"reviewed at {d['to']}"
    else:
        move = f"{d['from']} to {d['to']}"
    return f"  Decided {_uk(d['decided_on'])} by {d['group']}: {move}. {d['rationale']}".rstrip()


def escalation_section(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A passage for each record (no intelligence in it), then one for each decision since the
    previous report, made from the decision's items unless its words were already left out."""
    passages = []
    for r in rows:
        passages.append({"text": _escalation_line(r), "intelligence_item_ids": []})
        passages.extend(
            {
                "text": _decision_line(d),
                "intelligence_item_ids": [] if d["withheld"] else d["intelligence_item_ids"],
            }
            for d in r["decisions"]
        )
    return {"text": "\n".join(p["text"] for p in passages), "rows": rows, "passages": passages}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _uk(iso: str) -> str:
    return f"{dt.date.fromisoformat(iso):%-d %B %Y}"


def withheld_sentence(withheld: dict[str, int]) -> str:
    total = sum(withheld.values())
    if not total:
        return "Nothing was withheld under its handling rules."
    parts = ", ".join(f"{n} {kind}" for kind, n in sorted(withheld.items()) if n)
    return f"{total} item{'' if total == 1 else 's'} withheld under their handling rules ({parts})."


# The regional view --------------------------------------------------------------------------


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    end_month = first_month + 2
    nxt = dt.date(day.year + (end_month == 12), end_month % 12 + 1, 1)
    return start, nxt - dt.timedelta(days=1)


def recent_quarters(today: dt.date, count: int = 8) -> list[tuple[str, dt.date, dt.date]]:
    out = []
    start, end = quarter_of(today)
    for _ in range(count):
        out.append((f"{start.year}-Q{(start.month - 1) // 3 + 1}", start, end))
        start, end = quarter_of(start - dt.timedelta(days=1))
    return out


def parse_quarter(value: str | None, today: dt.date) -> tuple[str, dt.date, dt.date] | None:
    if not value:
        return recent_quarters(today, 1)[0]
    match = re.fullmatch(r"(\d{4})-Q([1-4])", value)
    if not match:
        return None
    year, q = int(match[1]), int(match[2])
    start, end = quarter_of(dt.date(year, 3 * q - 2, 1))
    return value, start, end


@dataclass
class ThemeRow:
    theme: str
    qsgs: list[str]
    intelligence: int
    conclusions: int


def recurring_themes(
    *,
    intelligence: Iterable[Any],
    conclusions: Iterable[Conclusion],
    vocabulary: dict[str, tuple[str, ...]],
    qsg_names: dict[int, str],
) -> list[ThemeRow]:
    """Themes raised in two or more local QSGs: from intelligence themes, and from conclusions'
    key issues and rationale (matched against the themes' keywords, and the themes of the
    intelligence items linked to them)."""
    vocabulary = dict(vocabulary)
    seen: dict[str, set[int]] = defaultdict(set)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    item_themes: dict[int, str] = {}
    for item in intelligence:
        theme = _item_theme(item)
        if not theme:
            continue
        item_themes[item.pk] = theme
        seen[theme].add(item.qsg_id)
        counts[theme][0] += 1
        vocabulary.setdefault(theme, theme_keywords(theme))
    for c in conclusions:
        if getattr(c, "withheld", 0):
            continue  # made from intelligence the reader may not read
        qsg_id = c.note.meeting.qsg_id
        themes = themes_in_text(f"{c.key_issues} {c.rationale}", vocabulary)
        themes |= {item_themes[i] for i in c.intelligence_item_ids or [] if i in item_themes}
        for t in themes:
            seen[t].add(qsg_id)
            counts[t][1] += 1
    rows = [
        ThemeRow(
            theme=t,
            qsgs=sorted(qsg_names.get(q, "") for q in qsg_ids),
            intelligence=counts[t][0],
            conclusions=counts[t][1],
        )
        for t, qsg_ids in seen.items()
        if len(qsg_ids) >= 2
    ]
    return sorted(rows, key=lambda r: (-len(r.qsgs), r.theme))


def _visible_conclusions(user, qsg_ids, start, end) -> list[Conclusion]:
    out = []
    for c in _agreed_conclusions(qsg_ids, start, end):
        qsg_id = c.note.meeting.qsg_id
        if c.note.status not in am.note_statuses(user, qsg_id):
            continue
        if c.is_confidential and not am.sees_confidential(user, qsg_id):
            continue
        out.append(copy.copy(c))
    # A conclusion made from intelligence the reader may not read keeps none of its words (in
    # memory only); recurring themes leave it out.
    rows = inherit_for(
        user,
        [
            {
                "key_issues": c.key_issues,
                "rationale": c.rationale,
                "intelligence_item_ids": c.intelligence_item_ids,
            }
            for c in out
        ],
        words=("key_issues", "rationale"),
    )
    for c, row in zip(out, rows, strict=True):
        c.key_issues, c.rationale, c.withheld = row["key_issues"], row["rationale"], row["withheld"]
    return out


def regional_overview(user, region: QSG, *, start: dt.date, end: dt.date) -> dict[str, Any]:
    p = qsg_access.principal(user)
    locals_ = list(QSG.objects.filter(regional_qsg=region, is_active=True).order_by("name"))
    visible_locals = [q for q in locals_ if p.sees_qsg(q.pk)]
    visible_ids = [q.pk for q in visible_locals]
    names = {q.pk: q.name for q in locals_}

    reports = {
        r.qsg_id: r
        for r in ar.local_reports_for(user)
        .filter(
            qsg_id__in=visible_ids,
            status=LocalReport.Status.SUBMITTED,
            period_start__lte=end,
            period_end__gte=start,
        )
        .order_by("period_end", "pk")
        .prefetch_related("sections")
    }
    reporting = [q for q in visible_locals if q.pk in reports]
    read = {q.pk: ar.sections_as_read(user, reports[q.pk].sections.all()) for q in reporting}
    side_by_side = [
        {
            "key": key,
            "label": say(key.label),
            "cells": [next((s.text for s in read[q.pk] if s.key == key), "") for q in reporting],
        }
        for key in Key
    ]

    from surveillance.meetings.selectors import providers_under_review

    # One row per provider: a provider in several groups' footprints is under review in each,
    # and its level is one decision, so the row names every group it is under review in.
    review: dict[int, dict] = {}
    for q in visible_locals:
        for provider, entry in providers_under_review(q):
            if entry.is_confidential and not am.sees_confidential(user, entry.qsg_id):
                continue
            row = review.setdefault(
                provider.pk,
                {
                    "provider": provider,
                    "qsgs": [],
                    "level": entry.category.label,
                    "since": entry.decided_on,
                },
            )
            row["qsgs"].append(q.name)
    summits = summits_in(user, qsg_ids=visible_ids, start=start, end=end)

    intelligence = intelligence_in(user, qsg_ids=visible_ids, start=start, end=end)
    conclusions = _visible_conclusions(user, visible_ids, start, end)
    themes = recurring_themes(
        intelligence=intelligence,
        conclusions=conclusions,
        vocabulary=theme_vocabulary(),
        qsg_names=names,
    )

    liaison = liaison_list(
        user, locals_=visible_locals, conclusions=conclusions, intelligence=intelligence
    )

    recommendations = list(
        ar.recommendations_for(user)
        .filter(regional_qsg=region)
        .select_related("local_qsg", "provider", "sent_by")[:50]
    )
    return {
        "locals": visible_locals,
        "hidden_locals": len(locals_) - len(visible_locals),
        "reports": reports,
        "reporting": reporting,
        "not_reporting": [q for q in visible_locals if q.pk not in reports],
        "side_by_side": side_by_side,
        "review": sorted(review.values(), key=lambda r: r["provider"].name),
        "summits": summits,
        "themes": themes,
        "liaison": liaison,
        "recommendations": recommendations,
        "grid": assurance.assurance_grid(
            user, [*visible_locals], months=assurance.assurance_months(end)
        ),
    }


def liaison_list(user, *, locals_, conclusions, intelligence) -> list[dict[str, Any]]:
    """Providers commissioned from outside their footprint, with concerns raised: the QSGs that
    need to talk to each other."""
    local_ids = {q.pk for q in locals_}
    names = {q.pk: q.name for q in locals_}
    org_qsgs: dict[int, set[int]] = defaultdict(set)
    for org_id, qsg_id in Membership.objects.filter(qsg_id__in=local_ids).values_list(
        "organisation_id", "qsg_id"
    ):
        org_qsgs[org_id].add(qsg_id)
    concerns: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for c in conclusions:
        if c.category.level > 0:
            concerns[c.provider_id].append(
                (
                    c.note.meeting.qsg_id,
                    f"{c.category.label} ({_day(c.note.meeting.starts_at):%-d %b %Y})",
                )
            )
    for item in intelligence:
        for provider in item.providers.all():
            concerns[provider.pk].append(
                (item.qsg_id, f"Intelligence: {_item_theme(item) or 'no theme'}")
            )
    if not concerns:
        return []
    visible = qsg_access.providers_for(user).filter(pk__in=list(concerns))
    rows = []
    for provider in (
        visible.select_related("qsg").prefetch_related("commissioners").order_by("name")
    ):
        outside = {}
        for org in provider.commissioners.all():
            for q in org_qsgs.get(org.pk, set()):
                if q != provider.qsg_id:
                    outside.setdefault(q, []).append(org.name)
        if not outside:
            continue
        raised = concerns[provider.pk]
        rows.append(
            {
                "provider": provider,
                "home": provider.qsg.name,
                "commissioned_from": [
                    {"qsg": names.get(q, ""), "organisations": sorted(orgs)}
                    for q, orgs in sorted(outside.items())
                ],
                "concerns": [{"qsg": names.get(q, ""), "what": what} for q, what in raised],
                "raised_elsewhere": any(q != provider.qsg_id for q, _ in raised),
            }
        )
    return rows


# Regional feedback: agenda source and the meeting pack -------------------------------------


def _pending_recommendations(meeting: Meeting):
    """Sent to the meeting's QSG before it starts, and not taken to an earlier meeting."""
    taken = AgendaItem.objects.filter(
        meeting__qsg_id=meeting.qsg_id,
        source="regional_feedback",
        meeting__starts_at__lt=meeting.starts_at,
    ).values_list("source_key", flat=True)
    taken_ids = {int(k.rsplit("-", 1)[1]) for k in taken if k.rsplit("-", 1)[-1].isdigit()}
    return (
        RegionalRecommendation.objects.filter(
            local_qsg_id=meeting.qsg_id, sent_at__lt=meeting.starts_at
        )
        .exclude(pk__in=taken_ids)
        .select_related("regional_qsg", "provider", "sent_by")
        .order_by("sent_at", "pk")
    )


def regional_feedback_for_meeting(user, meeting: Meeting) -> list[dict[str, Any]]:
    """Feedback from the region for this meeting, as the reader may see it (plain data)."""
    if not qsg_access.principal(user).sees_qsg(meeting.qsg_id) or not meeting.qsg.is_local:
        return []
    return [
        {
            "id": r.pk,
            "title": r.title,
            "text": r.text,
            "provider": r.provider.name if r.provider else "",
            "from_qsg": r.regional_qsg.name,
            "sent_on": _day(r.sent_at),
            "sent_by": r.sent_by.display_name,
        }
        for r in _pending_recommendations(meeting)
    ]


def source_regional_feedback(user, meeting: Meeting) -> list:
    from surveillance.meetings.selectors import Suggestion

    if not qsg_access.principal(user).sees_qsg(meeting.qsg_id) or not meeting.qsg.is_local:
        return []
    return [
        Suggestion(
            source="regional_feedback",
            key=f"recommendation-{r.pk}",
            title=f"Regional feedback: {r.title}",
            kind=AgendaItem.Kind.REPORT,
            reason=f"Sent by {r.regional_qsg.name} on {_day(r.sent_at):%-d %B %Y}: {r.text}"[:2000],
            provider_ids=[r.provider_id] if r.provider_id else [],
            presenter="Chair",
        )
        for r in _pending_recommendations(meeting)
    ]


def local_reports_home(user) -> list[LocalReport]:
    return list(
        ar.local_reports_for(user)
        .filter(Q(status=LocalReport.Status.DRAFT) | Q(submitted_at__isnull=False))
        .select_related("qsg")
        .order_by("-period_end", "qsg__name")[:5]
    )
