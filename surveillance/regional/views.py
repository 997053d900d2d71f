"""Pages of the local report to the region, the regional view and assurance returns.

Each view: access check (access_regional), a service for writes, a response.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qsg import access as qsg_access
from qsg import once
from qsg.audit import history_rows
from qsg.models import QSG
from qsg.pages import posted, submit
from qsg.vocabulary import say
from surveillance.escalation import selectors as escalation_selectors
from surveillance.regional import access as ar
from surveillance.regional import assurance
from surveillance.regional import selectors as sr
from surveillance.regional import services as sv
from surveillance.regional.facts import assurance_facts
from surveillance.regional.forms import (
    AssuranceForm,
    CommentForm,
    LocalReportForm,
    RecommendationForm,
    SectionForm,
)
from surveillance.regional.models import LocalReport, LocalReportSection

TEMPLATES = "surveillance/regional/"


# Index ------------------------------------------------------------------------------------------


@login_required
@require_GET
def regional_index(request):
    p = qsg_access.principal(request.user)
    regions = list(ar.regions_for(request.user).order_by("name"))
    locals_ = list(
        qsg_access.qsgs_for(request.user)
        .filter(level="local")
        .select_related("regional_qsg")
        .order_by("name")
    )
    return render(
        request,
        TEMPLATES + "index.jinja",
        {
            "regions": regions,
            "locals": locals_,
            "manages": {q.pk for q in locals_ if p.manages(q.pk)},
            "reports": sr.local_reports_home(request.user),
        },
    )


def nav_visible(request) -> bool:
    return bool(qsg_access.principal(request.user).qsg_ids)


# Local reports -----------------------------------------------------------------------------------


def _local(request, qsg_pk, *, manage=False):
    qsg = qsg_access.qsg_for_user(request.user, qsg_pk, manage=manage)
    if not qsg.is_local:
        raise Http404("Not found")
    return qsg


@login_required
@require_GET
def local_report_list(request, qsg_pk):
    qsg = _local(request, qsg_pk)
    reports = list(
        ar.local_reports_for(request.user).filter(qsg=qsg).order_by("-period_end", "-pk")
    )
    return render(
        request,
        TEMPLATES + "report_list.jinja",
        {
            "qsg": qsg,
            "reports": reports,
            "can_manage": qsg_access.principal(request.user).manages(qsg.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def local_report_create(request, qsg_pk):
    qsg = _local(request, qsg_pk, manage=True)
    start, end = sr.quarter_of(timezone.localdate())
    form = once.with_token(
        LocalReportForm(posted(request), initial={"period_start": start, "period_end": end})
    )
    return submit(
        request,
        form,
        lambda data: sv.local_report_draft(
            actor=request.user,
            qsg=qsg,
            period_start=data["period_start"],
            period_end=data["period_end"],
        ),
        scope="local-report",
        model=LocalReport,
        done="The report has been drafted from the agreed notes",
        then=lambda report: report.get_absolute_url(),
    ) or render(
        request,
        TEMPLATES + "form.jinja",
        {
            "form": form,
            "title": "Draft a report to the region",
            "caption": qsg.name,
            "intro": say(
                "The draft is built from the agreed notes of meetings in the period, the "
                "risk summits, overdue actions and the intelligence whose handling lets it go to the "
                "region. You can edit every section before you submit it."
            ),
            "submit": "Draft the report",
            "back": reverse("surveillance:local-report-list", args=[qsg.pk]),
        },
    )


def _report_history(report: LocalReport) -> list[dict]:
    """The report's versions and each section's, newest first; section texts are not diffed."""
    rows = history_rows(report.history.all()) + [
        {**row, "changes": [c for c in row["changes"] if c["field"] not in {"text", "rows"}]}
        for row in history_rows(LocalReportSection.history.filter(report_id=report.pk))
    ]
    return sorted(rows, key=lambda r: r["when"], reverse=True)[:50]


@login_required
@require_GET
def local_report_detail(request, pk):
    report = ar.local_report_for_user(request.user, pk)
    p = qsg_access.principal(request.user)
    return render(
        request,
        TEMPLATES + "report_detail.jinja",
        {
            "report": report,
            "sections": ar.sections_as_read(request.user, report.sections.all()),
            "withheld": sr.withheld_sentence(report.withheld or {}),
            "can_manage": p.manages(report.qsg_id) and not report.is_locked,
            "can_review": ar.can_review(request.user, report),
            "can_recommend": report.is_locked
            and report.qsg.regional_qsg_id is not None
            and ar.can_send_recommendations(request.user, report.qsg.regional_qsg_id),
            "comments": list(report.comments.select_related("author", "author__organisation")),
            "history": _report_history(report) if p.manages(report.qsg_id) else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def local_report_section_edit(request, pk, section_pk):
    report = ar.local_report_for_user(request.user, pk, manage=True)
    section = LocalReportSection.objects.filter(report=report, pk=section_pk).first()
    if section is None:
        raise Http404("Not found")
    if report.is_locked:
        messages.error(
            request, "This report has been submitted to the region and cannot be changed"
        )
        return redirect(report.get_absolute_url())
    # The editor starts from the section as they may read it (`access.sections_as_read`).
    (as_read,) = ar.sections_as_read(request.user, [section])
    form = SectionForm(posted(request), initial={"text": as_read.text})
    return submit(
        request,
        form,
        lambda data: sv.local_report_section_edit(
            actor=request.user, section=section, text=data["text"]
        ),
        done=f"{section.title} saved",
        then=report.get_absolute_url() + f"#section-{section.key}",
    ) or render(
        request,
        TEMPLATES + "form.jinja",
        {
            "form": form,
            "title": f"Edit: {section.title}",
            "caption": str(report),
            "submit": "Save",
            "back": report.get_absolute_url(),
        },
    )


@login_required
@require_POST
def local_report_redraft(request, pk):
    report = ar.local_report_for_user(request.user, pk, manage=True)
    try:
        sv.local_report_redraft(actor=request.user, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Drafted again from the data; your edited sections were kept")
    return redirect(report.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def local_report_submit(request, pk):
    report = ar.local_report_for_user(request.user, pk, manage=True)
    errors = []
    if request.method == "POST":
        try:
            sv.local_report_submit(actor=request.user, report=report)
        except ValidationError as error:
            errors = [{"text": m} for m in error.messages]
        else:
            messages.success(request, "The report has been submitted to the region")
            return redirect(report.get_absolute_url())
    return render(
        request,
        TEMPLATES + "report_submit.jinja",
        {"report": report, "errors": errors, "withheld": sr.withheld_sentence(report.withheld)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def local_report_comment(request, pk):
    report = ar.local_report_for_user(request.user, pk)
    qsg_access.require(ar.can_review(request.user, report))
    form = once.with_token(CommentForm(posted(request)))
    return submit(
        request,
        form,
        lambda data: sv.local_report_comment(actor=request.user, report=report, text=data["text"]),
        scope="local-report-comment",
        done="Your comment has been added to the report",
        then=report.get_absolute_url() + "#comments",
    ) or render(
        request,
        TEMPLATES + "form.jinja",
        {
            "form": form,
            "title": "Comment on the report",
            "caption": str(report),
            "submit": "Add the comment",
            "back": report.get_absolute_url(),
        },
    )


@login_required
@require_POST
def local_report_acknowledge(request, pk):
    report = ar.local_report_for_user(request.user, pk)
    qsg_access.require(ar.can_review(request.user, report))
    sv.local_report_acknowledge(actor=request.user, report=report)
    messages.success(request, "You have acknowledged the report")
    return redirect(report.get_absolute_url())


# The regional view -------------------------------------------------------------------------------


@login_required
@require_GET
def regional_view(request, pk):
    region = ar.region_for_user(request.user, pk)
    today = timezone.localdate()
    period = sr.parse_quarter(request.GET.get("quarter"), today)
    if period is None:
        raise Http404("Not found")
    label, start, end = period
    overview = sr.regional_overview(request.user, region, start=start, end=end)
    return render(
        request,
        TEMPLATES + "regional_view.jinja",
        {
            "region": region,
            "quarter": label,
            "start": start,
            "end": end,
            "quarters": sr.recent_quarters(today),
            "can_send": ar.can_send_recommendations(request.user, region.pk),
            "escalations": [
                row
                for row in escalation_selectors.records_of_group(request.user, region)
                if row.record.level != "routine"
            ],
            **overview,
        },
    )


def _chosen_local(region, value) -> QSG | None:
    value = str(value or "")
    if not value.isdigit():
        return None
    return QSG.objects.filter(pk=int(value), regional_qsg=region, is_active=True).first()


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_create(request, pk):
    region = ar.region_for_user(request.user, pk)
    qsg_access.require(ar.can_send_recommendations(request.user, region.pk))
    report = None
    if request.GET.get("report"):
        report = ar.local_report_for_user(request.user, request.GET["report"])
        if not report.is_locked or report.qsg.regional_qsg_id != region.pk:
            raise Http404("Not found")
    source = request.POST if request.method == "POST" else request.GET
    local = report.qsg if report else _chosen_local(region, source.get("local_qsg"))
    back = (
        report.get_absolute_url()
        if report
        else reverse("surveillance:regional-view", args=[region.pk])
    )
    page = {
        "title": say("Send a recommendation to a local QSG"),
        "caption": region.name,
        "back": back,
    }
    if local is None and request.method == "GET":
        # First the local QSG, so that the providers offered are its own.
        form = RecommendationForm(region=region)
        return render(
            request,
            TEMPLATES + "recommendation_choose.jinja",
            {**page, "form": form, "field": form["local_qsg"]},
        )
    form = once.with_token(
        RecommendationForm(
            posted(request), region=region, local_qsg=local, initial={"local_qsg": local}
        )
    )
    return submit(
        request,
        form,
        lambda data: sv.recommendation_send(
            actor=request.user,
            region=region,
            local_qsg=data["local_qsg"],
            provider=data.get("provider"),
            title=data["title"],
            text=data["text"],
            report=report,
        ),
        scope="regional-recommendation",
        done=lambda _: (
            f"Recommendation sent to {form.cleaned_data['local_qsg'].name}: it will be proposed "
            "for its next agenda"
        ),
        then=back,
    ) or render(
        request,
        TEMPLATES + "form.jinja",
        {
            **page,
            "form": form,
            "submit": "Send the recommendation",
            "intro": (
                f"To {local.name}"
                + (f", in reply to its report for {report.period_label}." if report else ".")
                if local
                else ""
            ),
            "change": (
                reverse("surveillance:recommendation-create", args=[region.pk])
                if local and not report
                else ""
            ),
        },
    )


# Assurance returns ---------------------------------------------------------------------------------


@login_required
@require_GET
def assurance_list(request, qsg_pk):
    qsg = qsg_access.qsg_for_user(request.user, qsg_pk)
    today = timezone.localdate()
    months = assurance.assurance_months(today, count=12)
    grid = assurance.assurance_grid(request.user, [qsg], months=months)
    return render(
        request,
        TEMPLATES + "assurance_list.jinja",
        {
            "qsg": qsg,
            "grid": grid,
            "this_month": today.replace(day=1),
            "can_manage": qsg_access.principal(request.user).manages(qsg.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assurance_return(request, qsg_pk, month):
    month_date = ar.parse_month(month)
    qsg = qsg_access.qsg_for_user(request.user, qsg_pk, manage=request.method == "POST")
    can_manage = qsg_access.principal(request.user).manages(qsg.pk)
    ret = ar.assurance_returns_for(request.user).filter(qsg=qsg, month=month_date).first()
    questions = sv.questions_for(qsg)
    known = assurance_facts(qsg, month_date)
    initial = {}
    prefilled = set()
    if ret is None or not ret.is_locked:
        # What the workspace knows, for the secretariat to confirm; their own words stand.
        for q in questions:
            if known.evidence.get(q.code):
                initial[f"evidence_{q.pk}"] = known.evidence[q.code]
                prefilled.add(q.pk)
    if ret is not None:
        for a in ret.answers.all():
            initial[f"rag_{a.question_id}"] = a.rag
            initial[f"comments_{a.question_id}"] = a.comments
            if a.evidence or ret.is_locked:
                initial[f"evidence_{a.question_id}"] = a.evidence
                prefilled.discard(a.question_id)
    form = once.with_token(AssuranceForm(posted(request), questions=questions, initial=initial))
    submitting = request.POST.get("action") == "submit"
    return submit(
        request,
        form,
        lambda _: sv.assurance_return_save(
            actor=request.user,
            qsg=qsg,
            month=month_date,
            answers=form.answers(),
            submit=submitting,
        ),
        done="The return has been submitted to the region" if submitting else "Draft saved",
        then=lambda saved: saved.get_absolute_url(),
    ) or render(
        request,
        TEMPLATES + "assurance_return.jinja",
        {
            "qsg": qsg,
            "month": month_date,
            "ret": ret,
            "form": form,
            "editable": can_manage and not (ret and ret.is_locked),
            "facts": known,
            "prefilled": prefilled,
            "history": history_rows(ret.history.all()) if ret and can_manage else None,
        },
    )


# Home panel ----------------------------------------------------------------------------------------


def home_panel(request) -> dict | None:
    regions = ar.regions_seen(request.user)
    drafts = list(
        ar.local_reports_for(request.user)
        .filter(status=LocalReport.Status.DRAFT)
        .select_related("qsg")
        .order_by("-period_end")[:5]
    )
    if not regions and not drafts:
        return None
    return {"regions": regions, "drafts": drafts}
