"""The list of summits and a summit's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from qsg.views import page_of

from .. import access, handoff, rules, selectors
from ..models import CQCJudgement
from ._common import BASE, _ctx, _open
from .rapid_review import rapid_review_panel


@login_required
@require_GET
def summit_list(request):
    status = request.GET.get("status", "open")
    summits = selectors.summit_list(request.user, status=status)
    page = page_of(request, summits)
    rows = [{"summit": s, "clock": selectors.clock_for(s, s.meetings.all())} for s in page]
    return render(
        request,
        BASE + "list.jinja",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "can_trigger": access.can_trigger(request.user),
            "referrals": handoff.pending_referrals(qsg_ids=access.lead_qsg_ids(request.user))
            if access.lead_qsg_ids(request.user)
            else [],
        },
    )


@login_required
@require_GET
def summit_detail(request, pk):
    standing = _open(request, pk, "Summit page")
    summit = standing.summit
    meetings = list(access.meetings_for(standing).order_by("number"))
    # The stage and its clock read every meeting, also for those who see only shared ones.
    stage = rules.stage(summit, None if standing.shared_only else meetings)
    actions = list(
        access.actions_for(standing)
        .select_related("owner_organisation", "owner", "meeting")
        .order_by("number")
    )
    ctx = _ctx(
        standing,
        providers=list(summit.providers.order_by("name")),
        meetings=meetings,
        objectives=selectors.actions_by_objective(actions),
        events=list(access.events_for(standing).select_related("actor").order_by("-at", "-pk")),
        documents=list(access.documents_for(standing).order_by("-created_at")[:20]),
        stage=stage,
        clock=stage.clock,
        first_meeting=next(
            (m for m in meetings if m.number == 1 and m.status != "cancelled"), None
        ),
        next_meeting=next(
            (m for m in meetings if m.status == "booked" and m.starts_at >= timezone.now()), None
        ),
        now=timezone.now(),
        rapid_review=rapid_review_panel(request.user, standing),
    )
    if not standing.shared_only:
        ctx.update(
            participants=selectors.participants_with_people(standing),
            judgements=list(
                CQCJudgement.objects.filter(summit=summit).select_related(
                    "organisation", "recorded_by"
                )
            ),
            impact_requests=selectors.impact_requests(standing),
            closure_problems=list(stage.problems),
        )
    return render(request, BASE + "detail.jinja", ctx)
