"""Pages of escalation records: the lists (everything the reader sees, per group, per region),
a record with its decisions and exit criteria, and the decision form.

Each view: access check (surveillance.escalation.access), the one service for writes, a response.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from dashboard import ui as dashboard_ui
from qsg import access as qsg_access
from qsg import navigation, once
from qsg.pages import posted, submit
from surveillance.escalation import access
from surveillance.escalation import selectors as sel
from surveillance.escalation import services as sv
from surveillance.escalation.forms import RENAME, DecisionForm, ProposalForm
from surveillance.escalation.models import Level

TEMPLATES = "surveillance/escalation/"


def nav_visible(request) -> bool:
    return bool(qsg_access.principal(request.user).qsg_ids)


@login_required
@require_GET
def escalation_index(request):
    rows = sel.rows_of(access.records_for(request.user).select_related("provider", "qsg"))
    groups = list(qsg_access.qsgs_for(request.user).order_by("level", "name"))
    return render(
        request,
        TEMPLATES + "index.jinja",
        {"rows": rows, "counts": sel.level_counts(rows), "groups": groups},
    )


@login_required
@require_GET
def escalation_group(request, qsg_pk):
    qsg = access.group_for_user(request.user, qsg_pk)
    rows = sel.records_of_group(request.user, qsg)
    return render(
        request,
        TEMPLATES + "group.jinja",
        {"qsg": qsg, "rows": rows, "counts": sel.level_counts(rows)},
    )


@login_required
@require_GET
def escalation_detail(request, pk):
    record = access.record_for_user(request.user, pk)
    ctx = sel.record_page(request.user, record)
    ctx["can_decide"] = access.can_decide(request.user, record.qsg_id)
    # The lead group keeps the record; a reader from another group in the provider's footprint
    # may not see the lead group's own pages, so it is named, not linked, for them.
    ctx["sees_group"] = qsg_access.principal(request.user).sees_qsg(record.qsg_id)
    ctx["other_groups"] = [q.name for q in record.provider.other_qsgs.order_by("name")]
    if ctx["can_decide"]:
        ctx["history"] = sel.record_history(request.user, record)
    ctx["sections"] = navigation.detail_sections("escalation", request, record)
    ctx["ui"] = dashboard_ui  # a measure's values and periods as the dashboard shows them
    return render(request, TEMPLATES + "detail.jinja", ctx)


def _decision_page(request, form, provider, record):
    title = "Record an escalation decision"
    back = record.get_absolute_url() if record else provider.get_absolute_url()
    return submit(
        request,
        form,
        lambda data: sv.decision_record(
            actor=request.user,
            provider=provider,
            idempotency_key=once.token_of(form),
            **({"service": record.service} if record else {}),
            **form.service_kwargs(),
        ),
        done=lambda d: f"Decision recorded: {d.record} is at {d.get_level_to_display().lower()}",
        then=lambda d: d.record.get_absolute_url(),
        rename=RENAME,
    ) or render(
        request,
        TEMPLATES + "decide.jinja",
        {
            "form": form,
            "title": title,
            "caption": str(record) if record else provider.name,
            "record": record,
            "back": back,
            "levels": Level.choices,
        },
    )


def _initial(request) -> dict:
    """A link from a meeting names it (?meeting=<id>); the form offers only meetings the person
    may see, so any other id is simply not chosen."""
    meeting = request.GET.get("meeting", "")
    return {"meeting": int(meeting)} if meeting.isdigit() and len(meeting) < 10 else {}


@login_required
@require_http_methods(["GET", "POST"])
def escalation_start(request, provider_pk):
    provider = access.provider_to_decide(request.user, provider_pk)
    form = once.with_token(
        DecisionForm(
            posted(request),
            provider=provider,
            record=None,
            user=request.user,
            initial=_initial(request),
        )
    )
    return _decision_page(request, form, provider, None)


@login_required
@require_http_methods(["GET", "POST"])
def escalation_decide(request, pk):
    record = access.record_for_user(request.user, pk, manage=True)
    form = once.with_token(
        DecisionForm(
            posted(request),
            provider=record.provider,
            record=record,
            user=request.user,
            initial=_initial(request),
        )
    )
    return _decision_page(request, form, record.provider, record)


@login_required
@require_http_methods(["GET", "POST"])
def escalation_propose(request, pk):
    """Propose a level change with a conclusion of a draft note: its secretariat. The note's
    agreement enacts it."""
    conclusion = access.conclusion_to_propose(request.user, pk)
    existing = getattr(conclusion, "escalation_proposal", None)
    initial = {"level": "none"}
    if existing is not None:
        initial = {
            "level": existing.level,
            "rationale": existing.rationale,
            "lead_organisation": existing.lead_organisation_id,
            "review_date": existing.review_date,
            **{f"exit_criteria_{n}": t for n, t in enumerate(existing.exit_criteria[:2], 1)},
        }
    form = ProposalForm(posted(request), initial=initial)
    meeting = conclusion.note.meeting
    return submit(
        request,
        form,
        lambda data: sv.proposal_save(
            actor=request.user,
            conclusion=conclusion,
            level=data["level"],
            rationale=data["rationale"],
            lead_organisation=data["lead_organisation"],
            review_date=data["review_date"],
            exit_criteria=[data["exit_criteria_1"], data["exit_criteria_2"]],
        ),
        done="Saved: the level change is made when the note is agreed",
        then=conclusion.provider.get_absolute_url(),
    ) or render(
        request,
        TEMPLATES + "propose.jinja",
        {
            "form": form,
            "conclusion": conclusion,
            "meeting": meeting,
            "back": conclusion.provider.get_absolute_url(),
        },
    )


# The provider page's section and the home panel ---------------------------------------------------


def provider_section(request, provider) -> dict | None:
    ctx = sel.provider_timeline(request.user, provider)
    if not ctx["records"] and not ctx["can_decide"] and not ctx["proposable"]:
        return None
    return ctx


def home_panel(request) -> dict | None:
    records = access.records_for(request.user).exclude(level=Level.ROUTINE)
    if not records.exists():
        return None
    rows = sel.rows_of(records.select_related("provider", "qsg"))
    return {"rows": rows[:8], "total": len(rows), "due": sum(1 for r in rows if r.review_due)}
