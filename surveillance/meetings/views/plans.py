"""Pages of the business cycle: plans, their entries, and coverage of the footprint."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qsg import once
from qsg.pages import posted, submit
from surveillance.meetings import access as am
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.forms import DistributeForm, PlanEntryForm, PlanForm
from surveillance.meetings.models import BusinessPlan, Meeting, PlanEntry
from surveillance.meetings.services import plans as plans_services
from surveillance.meetings.views._common import (
    _confirm_delete,
    _footprint,
    _form_flow,
    _page,
)


@login_required
@require_http_methods(["GET", "POST"])
def plan_list(request, qsg_pk):
    qsg = am.qsg_for_user(request.user, qsg_pk, manage=request.method == "POST")
    can_manage = am.manages(request.user, qsg.pk)
    today = timezone.localdate()
    form = None
    if can_manage:
        form = once.with_token(
            PlanForm(
                posted(request),
                initial={
                    "title": f"Business cycle {today.year}-{str(today.year + 1)[-2:]}",
                    "period_start": today,
                    # A year less a day; on 29 February, to 28 February (no replace(year=)).
                    "period_end": dt.date(today.year + 1, today.month, 1)
                    + dt.timedelta(days=today.day - 2),
                },
            )
        )
    return (
        form is not None
        and submit(
            request,
            form,
            lambda data: plans_services.business_plan_create(actor=request.user, qsg=qsg, **data),
            scope="business-plan",
            done="The business plan has been created",
            then=lambda plan: (
                plan.get_absolute_url()
                if plan
                else reverse("surveillance:plan-list", args=[qsg.pk])
            ),
        )
    ) or render(
        request,
        "surveillance/meetings/plan_list.jinja",
        {
            "qsg": qsg,
            "plans": BusinessPlan.objects.filter(qsg=qsg),
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
@require_GET
def plan_detail(request, pk):
    plan = am.plan_for_user(request.user, pk)
    entries = (
        PlanEntry.objects.filter(plan=plan)
        .select_related("meeting")
        .prefetch_related("providers")
        .order_by("meeting__starts_at", "pk")
    )
    meetings = Meeting.objects.filter(
        qsg=plan.qsg, starts_at__date__gte=plan.period_start, starts_at__date__lte=plan.period_end
    ).order_by("starts_at")
    return render(
        request,
        "surveillance/meetings/plan_detail.jinja",
        {
            "plan": plan,
            "qsg": plan.qsg,
            "entries": entries,
            "meetings": meetings,
            "can_manage": am.manages(request.user, plan.qsg_id),
            "distribute_form": DistributeForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_entry_create(request, pk):
    plan = am.plan_for_user(request.user, pk, manage=True)
    meetings = Meeting.objects.filter(
        qsg=plan.qsg, starts_at__date__gte=plan.period_start, starts_at__date__lte=plan.period_end
    ).order_by("starts_at")
    return _form_flow(
        request,
        once.with_token(
            PlanEntryForm(posted(request), meetings=meetings, providers=_footprint(plan.qsg))
        ),
        scope="plan-entry",
        save=lambda d: plans_services.plan_entry_add(actor=request.user, plan=plan, **d),
        done="The entry has been added to the plan",
        then=plan.get_absolute_url(),
        page=_page(plan.title, "Add to the business plan", "Add to plan", plan.get_absolute_url()),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_entry_delete(request, pk, entry_pk):
    plan = am.plan_for_user(request.user, pk, manage=True)
    entry = PlanEntry.objects.filter(plan=plan, pk=am._int(entry_pk)).first()
    if entry is None:
        raise Http404("Not found")
    return _confirm_delete(
        request,
        what=f"“{entry.title}” from the plan",
        back=plan.get_absolute_url(),
        action=lambda: plans_services.plan_entry_remove(actor=request.user, entry=entry),
        done="The entry has been removed from the plan",
    )


@login_required
@require_POST
def plan_distribute(request, pk):
    plan = am.plan_for_user(request.user, pk, manage=True)
    form = DistributeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how to group the providers")
        return redirect(plan.get_absolute_url())
    try:
        made = plans_services.business_plan_distribute(
            actor=request.user, plan=plan, group_by=form.cleaned_data["group_by"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if made:
            messages.success(
                request, f"{made} group{'s' if made != 1 else ''} of providers placed in meetings"
            )
        else:
            messages.info(request, "Every provider in the footprint is already in the plan")
    return redirect(plan.get_absolute_url())


@login_required
@require_GET
def coverage(request, qsg_pk):
    qsg = am.qsg_for_user(request.user, qsg_pk)
    today = timezone.localdate()
    plan = (
        BusinessPlan.objects.filter(qsg=qsg, period_start__lte=today, period_end__gte=today)
        .order_by("-period_start")
        .first()
    )
    if plan is not None:
        start, end = plan.period_start, plan.period_end
    else:
        start, end = today - dt.timedelta(days=365), today
    rows = selectors_meetings.coverage(qsg, period_start=start, period_end=end, today=today)
    show = request.GET.get("show", "")
    if show == "flagged":
        rows = [r for r in rows if r.flagged]
    return render(
        request,
        "surveillance/meetings/coverage.jinja",
        {
            "qsg": qsg,
            "rows": rows,
            "plan": plan,
            "start": start,
            "end": end,
            "show": show,
            "flagged": sum(1 for r in rows if r.flagged),
        },
    )
