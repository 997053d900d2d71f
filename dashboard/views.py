"""Pages of the National Quality Dashboard. Each view: access check, service or selector, response.

Pages read stored SPC results; they never run the engine.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qsg import access as qsg_access
from qsg import exports, once
from qsg.models import Job
from qsg.pages import page_of, posted, submit

from . import access, charts, selectors, services, ui, uploads
from .forms import (
    ImportForm,
    IndicatorForm,
    MappingForm,
    MatrixFilterForm,
    RebaseForm,
    ScopeForm,
    SignalsForm,
)
from .importing import STANDARD_COLUMNS
from .models import Indicator, PeerStat, Rebase


def _render(request, template: str, context: dict, status: int = 200):
    return render(request, template, {"ui": ui, **context}, status=status)


# Landing ------------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    p = qsg_access.principal(request.user)
    qsgs = list(qsg_access.qsgs_for(request.user).order_by("level", "name"))
    rows = []
    for q in qsgs:
        latest = selectors.latest_data_month(request.user, q)
        rows.append({"qsg": q, "latest": latest, "roles": p.role_names(q.pk)})
    return _render(
        request,
        "dashboard/home.jinja",
        {"rows": rows, "is_analyst": access.is_analyst(request.user)},
    )


# Catalogue -----------------------------------------------------------------------------------------


@login_required
@require_GET
def indicator_list(request):
    indicators = access.indicators_for(request.user).order_by("domain", "code")
    return _render(
        request,
        "dashboard/indicator_list.jinja",
        {"indicators": indicators, "can_edit": access.can_edit_catalogue(request.user)},
    )


@login_required
@require_GET
def indicator_detail(request, code):
    indicator = access.indicator_for_user(request.user, code)
    qsgs = list(qsg_access.qsgs_for(request.user).order_by("level", "name"))
    form = ScopeForm(request.GET or None, qsgs=qsgs)
    qsg = None
    if form.is_valid() and form.cleaned_data.get("qsg"):
        qsg = qsg_access.qsg_for_user(request.user, form.cleaned_data["qsg"])
    rows = selectors.indicator_rows(request.user, indicator, qsg=qsg)
    national = selectors.national_stats([indicator]).get(indicator.pk)
    return _render(
        request,
        "dashboard/indicator_detail.jinja",
        {
            "indicator": indicator,
            "form": form,
            "scope": qsg,
            "rows": rows,
            "counts": selectors.variation_counts(rows),
            "national": national,
            "can_edit": access.can_edit_catalogue(request.user),
            "history": indicator.history.select_related("history_user")[:10]
            if access.can_edit_catalogue(request.user)
            else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request):
    qsg_access.require(access.can_edit_catalogue(request.user))
    form = IndicatorForm(posted(request))
    return submit(
        request,
        form,
        lambda data: services.indicator_create(actor=request.user, **data),
        done=lambda indicator: f"{indicator.name} has been added to the catalogue",
        then=lambda indicator: indicator.get_absolute_url(),
    ) or _render(request, "dashboard/indicator_form.jinja", {"form": form, "indicator": None})


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request, code):
    indicator = access.indicator_for_user(request.user, code, manage=True)
    form = IndicatorForm(posted(request), instance=None, editing=True, initial=_initial(indicator))
    return submit(
        request,
        form,
        lambda data: services.indicator_update(actor=request.user, indicator=indicator, **data),
        done="The indicator has been saved",
        then=indicator.get_absolute_url(),
    ) or _render(request, "dashboard/indicator_form.jinja", {"form": form, "indicator": indicator})


def _initial(indicator: Indicator) -> dict:
    return {f: getattr(indicator, f) for f in services.INDICATOR_FIELDS}


# QSG matrix and signals -------------------------------------------------------------------------


@login_required
@require_GET
def qsg_matrix(request, pk):
    qsg = qsg_access.qsg_for_user(request.user, pk)
    form = MatrixFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    sort = data.get("sort") or "name"
    descending = data.get("dir") == "desc"
    result = selectors.matrix(
        request.user,
        qsg,
        sector=data.get("sector", ""),
        domain=data.get("domain", ""),
        sort=sort,
        descending=descending,
        page_number=request.GET.get("page"),
    )
    return _render(
        request,
        "dashboard/matrix.jinja",
        {
            "qsg": qsg,
            "form": form,
            "matrix": result,
            "sort": sort,
            "descending": descending,
            "latest": selectors.latest_data_month(request.user, qsg),
        },
    )


@login_required
@require_GET
def qsg_signals(request, pk):
    qsg = qsg_access.qsg_for_user(request.user, pk)
    latest = selectors.latest_data_month(request.user, qsg)
    default = selectors.month_before(latest) if latest else None
    # By default, the window of the QSG's next meeting: what its agenda proposes.
    window = selectors.meeting_window(request.user, qsg)
    if window and window["since"]:
        default = window["since"]
    if "since-day" in request.GET or "since" in request.GET:
        form = SignalsForm(request.GET)
        window = None
    else:
        form = SignalsForm(initial={"since": default})
    since = form.cleaned_data["since"] if form.is_bound and form.is_valid() else default
    signals = selectors.signals_since(request.user, qsg, since) if since else []
    if window:
        signals = [s for s in signals if window["has_data"] and s.period <= window["until"]]
    groups = {kind: [s for s in signals if s.kind == kind] for kind in selectors.SIGNAL_KINDS}
    return _render(
        request,
        "dashboard/signals.jinja",
        {
            "qsg": qsg,
            "form": form,
            "since": since,
            "latest": latest,
            "signals": signals,
            "groups": groups,
            "kinds": selectors.SIGNAL_KINDS,
            "window": window,
        },
    )


# Provider charts ----------------------------------------------------------------------------------


@login_required
@require_GET
def provider_dashboard(request, pk):
    from . import context, successions

    provider = qsg_access.provider_for_user(request.user, pk)
    views = selectors.provider_series(request.user, provider)
    before, after = successions.links_of(request.user, provider)
    return _render(
        request,
        "dashboard/provider.jinja",
        {
            "provider": provider,
            "views": views,
            "before": before,
            "after": after,
            "context": context.for_provider(provider),
        },
    )


@login_required
@require_GET
def series_detail(request, pk, code):
    series = access.series_for_user(request.user, pk, code)
    return _series_page(
        request, series, RebaseForm(periods=_periods(series), frequency=series.indicator.frequency)
    )


def _periods(series):
    from .results import unpack_points

    return [p.period for p in unpack_points(series.points, series.groups) if not p.missing]


def _series_page(request, series, rebase_form, status=200):
    indicator = series.indicator
    points, svg = selectors.chart_for(series, indicator, chart_id=f"spc-{series.pk}")
    funnel = None
    if series.latest_denominator and series.peer_period:
        national = PeerStat.objects.filter(
            indicator=indicator, period=series.peer_period, group=PeerStat.NATIONAL
        ).first()
        if national is not None:
            from .peers import funnel_limits

            funnel = funnel_limits(
                kind=indicator.kind,
                multiplier=indicator.multiplier,
                pooled=national.value,
                denominator=series.latest_denominator,
                tau2=national.tau2,
            )
            if funnel is not None:
                funnel["phi"] = national.phi
                funnel["adjusted"] = bool(national.tau2)
    from . import successions

    rebases = Rebase.objects.filter(provider=series.provider, indicator=indicator).select_related(
        "created_by"
    )
    before, after = successions.links_of(request.user, series.provider)
    return _render(
        request,
        "dashboard/series.jinja",
        {
            "series": series,
            "provider": series.provider,
            "indicator": indicator,
            "points": points,
            "chart": svg,
            "funnel": funnel,
            "rebases": rebases,
            "changes": indicator.standard_changes.all(),
            "joined": successions.joined_charts(request.user, series),
            "before": before,
            "after": after,
            "rebase_form": rebase_form,
            "is_analyst": access.is_analyst(request.user),
            "fmt": lambda v: charts.format_value(v, indicator.unit),
        },
        status=status,
    )


@login_required
@require_POST
def rebase_add(request, pk, code):
    series = access.series_for_user(request.user, pk, code)
    access.require_analyst(request.user)
    form = RebaseForm(request.POST, periods=_periods(series), frequency=series.indicator.frequency)
    return submit(
        request,
        form,
        lambda data: services.rebase_add(
            actor=request.user, provider=series.provider, indicator=series.indicator, **data
        ),
        done="The series has been rebased. The chart is being worked out again: refresh in a "
        "moment to see it",
        then=reverse("dashboard:series", args=[series.provider_id, series.indicator.code]),
    ) or _series_page(request, series, form, status=200)


# Imports ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request):
    access.require_analyst(request.user)
    mappings = access.mappings_for(request.user)
    files = request.FILES if request.method == "POST" else None
    form = once.with_token(ImportForm(posted(request), files, mappings=mappings))
    return submit(
        request,
        form,
        lambda data: uploads.upload(
            actor=request.user,
            file_name=data["file"].name,
            content=data["file"].read(),
            mapping=data["mapping"],
            source=data["source"],
            token=once.token_of(form),
        ),
        then=lambda result: result.get_absolute_url(),
    ) or _render(
        request,
        "dashboard/import_form.jinja",
        {"form": form, "columns": STANDARD_COLUMNS, "mappings": mappings},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request, pk):
    """A file in a published layout: what it will load; loaded when the analyst confirms."""
    from django.core.exceptions import ValidationError

    pending = uploads.pending_for_user(request.user, pk)
    if request.method == "POST":
        if "cancel" in request.POST:
            uploads.cancel(actor=request.user, pending=pending)
            messages.info(request, "Nothing was loaded")
            return redirect("dashboard:import-new")
        try:
            batch = uploads.confirm(actor=request.user, pending=pending)
        except ValidationError as problem:
            messages.error(request, " ".join(problem.messages))
            return redirect(pending.get_absolute_url())
        if batch is None:
            messages.success(request, "The NHS Oversight Framework segments were loaded")
            return redirect("dashboard:import-new")
        return redirect(batch.get_absolute_url())
    try:
        summary = uploads.preview(pending)
    except ValidationError as problem:
        summary = {"problem": " ".join(problem.messages)}
    return _render(
        request, "dashboard/import_preview.jinja", {"pending": pending, "summary": summary}
    )


@login_required
@require_GET
def import_list(request):
    access.require_analyst(request.user)
    batches = access.batches_for(request.user).select_related("job", "mapping")
    return _render(request, "dashboard/import_list.jinja", {"page": page_of(request, batches)})


@login_required
@require_GET
def import_detail(request, pk):
    batch = access.batch_for_user(request.user, pk)
    errors = batch.row_errors.all()[:200]
    context = {
        "batch": batch,
        "job": batch.job,
        "recompute": batch.recompute_job,
        "errors": errors,
        "error_count": batch.row_errors.count() if batch.outcome == batch.Outcome.REJECTED else 0,
    }
    if request.htmx:
        return _render(request, "dashboard/_import_status.jinja", context)
    return _render(request, "dashboard/import_detail.jinja", context)


@login_required
@require_GET
def import_errors(request, pk):
    batch = access.batch_for_user(request.user, pk)
    rows = ([e.row_number, e.column, e.value, e.message] for e in batch.row_errors.all().iterator())
    stem = batch.file_name.rsplit(".", 1)[0][:60] or "import"
    return exports.csv_response(f"{stem}-errors", ["row", "column", "value", "problem"], rows)


@login_required
@require_GET
def import_template(request):
    access.require_analyst(request.user)
    rows = [
        ["RW3", "AE_4HR", "2019-03", "", "812", "9540"],
        ["RW3", "NET_PROMOTER", "2019-03", "71.5", "", ""],
    ]
    return exports.csv_response("indicator-data-template", STANDARD_COLUMNS, rows)


@login_required
@require_http_methods(["GET", "POST"])
def mapping_list(request):
    access.require_analyst(request.user)
    form = MappingForm(posted(request))
    return submit(
        request,
        form,
        lambda data: services.mapping_create(actor=request.user, **data),
        done=lambda mapping: f"The column mapping '{mapping.name}' has been saved",
        then="dashboard:mapping-list",
    ) or _render(
        request,
        "dashboard/mapping_list.jinja",
        {"form": form, "mappings": access.mappings_for(request.user)},
    )


# Jobs ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def job_list(request):
    access.require_analyst(request.user)
    if request.method == "POST":
        job = services.recompute_request(actor=request.user, full=True)
        messages.success(request, "A full recompute has been queued")
        return redirect(f"{reverse('dashboard:job-list')}#job-{job.pk}")
    jobs = Job.objects.filter(kind__in=[services.IMPORT_KIND, services.RECOMPUTE_KIND]).order_by(
        "-created_at"
    )
    page = Paginator(jobs.select_related("created_by"), 25).get_page(request.GET.get("page"))
    last_full = (
        Job.objects.filter(
            kind=services.RECOMPUTE_KIND, counts__mode="full", status=Job.Status.SUCCEEDED
        )
        .aggregate(m=Max("finished_at"))
        .get("m")
    )
    return _render(request, "dashboard/job_list.jinja", {"page": page, "last_full": last_full})
