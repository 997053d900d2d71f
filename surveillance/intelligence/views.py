"""Pages of soft intelligence: submit (four steps, check your answers, confirmation), read,
export, corroborate, widen, triage, merge, and the access log.

Each view: access check (`surveillance.intelligence.access` for items; `selectors_intelligence` for drafts,
lists and attribution), a service for writes, a response. Every view of an item shared other
than with the QSG's members is written to the access log by the service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qsg import access as qsg_access
from qsg import ids, once
from qsg.exports import csv_response
from qsg.models import Organisation
from qsg.pages import page_of, posted, submit
from qsg.vocabulary import say, say_lazy
from surveillance.intelligence import access
from surveillance.intelligence import selectors as sel
from surveillance.intelligence import services as si
from surveillance.intelligence.forms import (
    STEP_ORDER,
    STEPS,
    CorroborateForm,
    ItemFilterForm,
    MergeForm,
    SubmitForm,
    TriageForm,
    WidenForm,
)
from surveillance.intelligence.models import IntelligenceAccess, IntelligenceItem

Item = IntelligenceItem
EXPORT_LIMIT = 10_000
Channel = IntelligenceAccess.Channel

# Which step asks each question (the check-your-answers page links back to it).
FIELD_STEP = {
    "qsg": "about",
    "providers": "about",
    "service_site": "about",
    "outside_reason": "about",
    "source_type": "details",
    "quality_dimension": "details",
    "theme": "details",
    "summary": "details",
    "details": "details",
    "observed_from": "details",
    "observed_to": "details",
    "source_reliability": "grading",
    "information_certainty": "grading",
    "review_by": "grading",
    "distribution": "sharing",
    "named_organisations": "sharing",
    "do_not_attribute": "sharing",
}
REQUIRED = [
    "providers",
    "source_type",
    "quality_dimension",
    "summary",
    "details",
    "observed_from",
    "source_reliability",
    "information_certainty",
    "review_by",
]


def _submit_qsgs(user):
    return access.submittable_qsgs_for(user).order_by("name")


def _draft(request, pk) -> Item:
    return access.draft_for_user(request.user, pk)


def _step_form(request, step: str, draft: Item | None):
    form_class, _ = STEPS[step]
    user = request.user
    kwargs: dict = {}
    if step == "about":
        kwargs = {
            "qsgs": _submit_qsgs(user),
            "own_qsg_ids": access.scope_for(user).role_qsg_ids,
        }
    elif step == "grading":
        kwargs = {"observed_from": draft.observed_from if draft else None}
    elif step == "sharing":
        kwargs = {
            "organisations": Organisation.objects.filter(is_active=True).order_by("name"),
            "qsg": draft.qsg if draft else None,
        }
    initial = _initial(draft, step) if draft else {}
    if step == "about" and draft is None and len(kwargs["qsgs"]) == 1:
        initial["qsg"] = kwargs["qsgs"][0].pk
    return once.with_token(form_class(posted(request), initial=initial, **kwargs))


def _initial(draft: Item, step: str) -> dict:
    form_class, _ = STEPS[step]
    initial = {}
    for name in form_class.base_fields:
        if name == "form_token":
            continue
        if name in ("providers", "named_organisations"):
            initial[name] = list(getattr(draft, name).all()) if draft.pk else []
        elif name == "qsg":
            initial[name] = draft.qsg_id
        elif name == "theme":
            initial[name] = draft.theme_id
        else:
            initial[name] = getattr(draft, name)
    return initial


def _next_url(draft: Item, step: str, request) -> str:
    if request.POST.get("save_draft"):
        return reverse("surveillance:intelligence-new")
    if request.GET.get("change") or step == STEP_ORDER[-1]:
        return reverse("surveillance:intelligence-check", args=[draft.pk])
    return reverse(
        "surveillance:intelligence-step", args=[draft.pk, STEP_ORDER[STEP_ORDER.index(step) + 1]]
    )


def _step_page(request, form, step: str, draft: Item | None):
    _, title = STEPS[step]
    index = STEP_ORDER.index(step)
    if draft is None:
        back = reverse("surveillance:intelligence-list")
    elif request.GET.get("change"):
        back = reverse("surveillance:intelligence-check", args=[draft.pk])
    elif index:
        back = reverse("surveillance:intelligence-step", args=[draft.pk, STEP_ORDER[index - 1]])
    else:
        back = reverse("surveillance:intelligence-new")
    return render(
        request,
        "surveillance/intelligence/step.jinja",
        {
            "form": form,
            "step": step,
            "title": title,
            "number": index + 1,
            "of": len(STEP_ORDER),
            "draft": draft,
            "back": back,
            "providers_known": qsg_access.providers_for(request.user).order_by("name")
            if step == "about"
            else [],
        },
    )


def _values(draft: Item | None) -> dict:
    """Every answer held on the draft, as the services take them."""
    if draft is None:
        return {}
    return {
        "qsg": draft.qsg_id,
        "providers": list(draft.providers.all()),
        "named_organisations": list(draft.named_organisations.all()),
        "theme": draft.theme_id,
        **{
            name: getattr(draft, name)
            for name in FIELD_STEP
            if name not in ("qsg", "providers", "named_organisations", "theme")
        },
    }


# Submitting ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def intelligence_new(request):
    """Your drafts, and the first step of a new submission (which saves a draft)."""
    if not _submit_qsgs(request.user).exists():
        raise Http404
    form = _step_form(request, "about", None)
    return submit(
        request,
        form,
        lambda data: si.intelligence_item_save_draft(actor=request.user, item=None, **data),
        scope="intelligence-draft",
        # The same form posted twice (no draft made): back to the drafts, the first among them.
        then=lambda draft: (
            _next_url(draft, "about", request)
            if draft
            else reverse("surveillance:intelligence-new")
        ),
    ) or render(
        request,
        "surveillance/intelligence/new.jinja",
        {
            "form": form,
            "drafts": list(sel.drafts_for(request.user)),
            "providers_known": qsg_access.providers_for(request.user).order_by("name"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def intelligence_step(request, pk, step):
    if step not in STEPS:
        raise Http404
    draft = _draft(request, pk)
    form = _step_form(request, step, draft)
    return submit(
        request,
        form,
        # One step's answers on top of the draft's others (the service writes them all).
        lambda data: si.intelligence_item_save_draft(
            actor=request.user, item=draft, **{**_values(draft), **data}
        ),
        done="Your draft has been saved" if request.POST.get("save_draft") else None,
        then=lambda saved: _next_url(saved, step, request),
    ) or _step_page(request, form, step, draft)


def _missing(draft: Item) -> list[str]:
    missing = []
    for name in REQUIRED:
        value = getattr(draft, name)
        if name == "providers":
            value = draft.providers.exists()
        if value in (None, "", False):
            missing.append(name)
    return missing


def _answers(request, draft: Item) -> list[dict]:
    """The check-your-answers rows, each with its change link."""

    def change(name):
        return (
            reverse("surveillance:intelligence-step", args=[draft.pk, FIELD_STEP[name]])
            + f"?change=1#id_{name}"
        )

    providers = ", ".join(f"{p.name} ({p.ods_code})" for p in draft.providers.all())
    named = ", ".join(o.name for o in draft.named_organisations.all())
    period = draft.observed_from
    rows = [
        ("qsg", say("QSG"), draft.qsg.name),
        ("providers", "Providers", providers),
        ("service_site", "Service or site", draft.service_site),
        ("outside_reason", say("Reason for a provider outside your QSGs"), draft.outside_reason),
        ("source_type", "Source", draft.get_source_type_display()),
        ("quality_dimension", "Quality dimension", draft.get_quality_dimension_display()),
        ("theme", "Theme", draft.theme.label if draft.theme else ""),
        ("summary", "Summary", draft.summary),
        ("details", "Details", draft.details),
        ("observed_from", "Observed", period),
        ("observed_to", "End of the period", draft.observed_to),
        ("source_reliability", "Source reliability", draft.get_source_reliability_display()),
        (
            "information_certainty",
            "Information certainty",
            draft.get_information_certainty_display() if draft.information_certainty else "",
        ),
        ("review_by", "Review by", draft.review_by),
        ("distribution", "Who may see it", draft.get_distribution_display()),
        ("named_organisations", "Named organisations", named),
        (
            "do_not_attribute",
            "Attribute to my organisation",
            "No" if draft.do_not_attribute else "Yes",
        ),
    ]
    return [
        {"name": n, "label": label, "value": value, "change": change(n)}
        for n, label, value in rows
        if not (n == "named_organisations" and draft.distribution != Item.Distribution.NAMED)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def intelligence_draft_delete(request, pk):
    draft = _draft(request, pk)
    if request.method == "POST":
        si.intelligence_draft_delete(actor=request.user, item=draft)
        messages.success(request, "Your draft has been deleted")
        return redirect("surveillance:intelligence-new")
    return render(
        request,
        "surveillance/intelligence/delete_draft.jinja",
        {"draft": draft, "back": reverse("surveillance:intelligence-check", args=[draft.pk])},
    )


@login_required
@require_http_methods(["GET", "POST"])
def intelligence_check(request, pk):
    draft = _draft(request, pk)
    form = once.with_token(SubmitForm(posted(request)))
    errors: list[dict] = []
    if request.method == "POST" and form.is_valid():
        missing = _missing(draft)
        if missing:
            errors = [
                {
                    "text": f"Answer the question: {STEPS[FIELD_STEP[n]][1]} ({n.replace('_', ' ')})",
                    "href": reverse(
                        "surveillance:intelligence-step", args=[draft.pk, FIELD_STEP[n]]
                    )
                    + f"?change=1#id_{n}",
                }
                for n in missing
            ]
        else:
            try:
                item = si.intelligence_item_submit(
                    actor=request.user,
                    item=draft,
                    idempotency_key=once.token_of(form),
                    **_values(draft),
                )
            except ValidationError as error:
                for name, messages_ in getattr(error, "message_dict", {"": error.messages}).items():
                    step = FIELD_STEP.get(name, "details")
                    for message in messages_:
                        errors.append(
                            {
                                "text": message,
                                "href": reverse(
                                    "surveillance:intelligence-step", args=[draft.pk, step]
                                )
                                + f"?change=1#id_{name}",
                            }
                        )
            else:
                return redirect("surveillance:intelligence-submitted", item.pk)
    return render(
        request,
        "surveillance/intelligence/check.jinja",
        {
            "draft": draft,
            "form": form,
            "answers": _answers(request, draft),
            "page_errors": errors,
            "missing": set(_missing(draft)),
        },
    )


@login_required
@require_GET
def intelligence_submitted(request, pk):
    item = access.item_for_user(request.user, pk)
    if item.submitted_by_id != request.user.pk or item.status == Item.Status.DRAFT:
        raise Http404
    return render(request, "surveillance/intelligence/submitted.jinja", {"item": item})


# Reading ---------------------------------------------------------------------------------------


def _filter_form(request):
    return ItemFilterForm(request.GET or None, **sel.filter_choices(request.user))


def _filtered(request, form):
    """The filtered list; a filter that is not valid (shown as an error) matches nothing."""
    if form.is_bound and not form.is_valid():
        return sel.visible_items(request.user).none()
    return sel.filtered_items(request.user, form.cleaned_data if form.is_bound else {})


def _filtered_parts(request, form):
    """`_filtered` once per visibility arm, to count the list by (None: count it plainly)."""
    if form.is_bound and not form.is_valid():
        return None
    data = form.cleaned_data if form.is_bound else {}
    if not sel.count_by_arms(data.get("q")):
        return None
    return lambda: sel.filtered_item_parts(request.user, data)


@login_required
@require_GET
def intelligence_list(request):
    form = _filter_form(request)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = page_of(
        request,
        _filtered(request, form),
        count_parts=_filtered_parts(request, form),
        count_cap=sel.count_cap(data.get("q")),
        capped_order=sel.NEWEST_FIRST,
    )
    items = list(page.object_list)
    rows = [
        {
            "item": item,
            "organisation": sel.attribution(request.user, item),
        }
        for item in items
    ]
    return render(
        request,
        "surveillance/intelligence/list.jinja",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "can_submit": _submit_qsgs(request.user).exists(),
            "drafts": sel.drafts_for(request.user).count(),
            "can_triage": bool(qsg_access.principal(request.user).managed_qsg_ids),
        },
    )


EXPORT_HEADER = [
    "Reference",
    "Status",
    say_lazy("QSG"),
    "Providers",
    "Service or site",
    "Source",
    "Quality dimension",
    "Theme",
    "Summary",
    "Details",
    "Observed from",
    "Observed to",
    "Source reliability",
    "Information certainty",
    "Review by",
    "Who may see it",
    "Submitted by",
    "Submitted on",
    "Organisations holding similar intelligence",
]


@login_required
@require_GET
def intelligence_export(request):
    form = _filter_form(request)
    items = list(_filtered(request, form)[:EXPORT_LIMIT])
    counts = sel.corroboration_counts(items)
    si.items_seen(user=request.user, items=items, channel=Channel.EXPORT)
    rows = (
        [
            item.reference,
            item.get_status_display(),
            item.qsg.name,
            "; ".join(f"{p.ods_code} {p.name}" for p in item.providers.all()),
            item.service_site,
            item.get_source_type_display(),
            item.get_quality_dimension_display(),
            item.theme.label if item.theme else "",
            item.summary,
            item.details,
            item.observed_from or "",
            item.observed_to or "",
            item.source_reliability,
            item.information_certainty or "",
            item.review_by or "",
            item.get_distribution_display(),
            sel.attribution(request.user, item),
            item.submitted_at.date() if item.submitted_at else "",
            counts.get(item.pk, 0),
        ]
        for item in items
    )
    return csv_response("intelligence", EXPORT_HEADER, rows)


def _detail_context(request, item: Item, **extra) -> dict:
    user = request.user
    return {
        "item": item,
        "organisation": sel.attribution(user, item),
        "corroboration": sel.corroboration_summary(user, item),
        "can_triage": access.can_triage(user, item),
        "can_widen": access.can_change_distribution(user, item),
        # Whom it is shared with by name: for those who chose it (the submitter, the secretariat).
        "named": list(item.named_organisations.order_by("name"))
        if item.distribution == Item.Distribution.NAMED
        and access.can_change_distribution(user, item)
        else [],
        "can_corroborate": access.can_corroborate(user, item),
        "sees_log": access.scope_for(user).manages(item.qsg_id),
        "history": sel.item_history(request.user, item),
        **extra,
    }


@login_required
@require_GET
def intelligence_detail(request, pk):
    item = access.item_for_user(request.user, pk)
    if item.status == Item.Status.DRAFT:
        return redirect("surveillance:intelligence-check", item.pk)
    si.intelligence_item_record_view(user=request.user, item=item, channel=Channel.PAGE)
    form = once.with_token(CorroborateForm())
    return render(
        request,
        "surveillance/intelligence/detail.jinja",
        _detail_context(request, item, corroborate_form=form),
    )


@login_required
@require_POST
def intelligence_corroborate(request, pk):
    item = access.item_for_user(request.user, pk)
    qsg_access.require(access.can_corroborate(request.user, item))
    form = CorroborateForm(request.POST)
    return submit(
        request,
        form,
        lambda data: si.intelligence_item_corroborate(
            actor=request.user, item=item, note=data.get("note") or ""
        ),
        done="Recorded: your organisation holds similar intelligence",
        then=reverse("surveillance:intelligence-detail", args=[item.pk]),
    ) or render(
        request,
        "surveillance/intelligence/detail.jinja",
        _detail_context(request, item, corroborate_form=form),
        status=200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def intelligence_widen(request, pk):
    item = access.item_for_user(request.user, pk)
    qsg_access.require(access.can_change_distribution(request.user, item))
    current = list(item.named_organisations.all())
    form = WidenForm(
        posted(request),
        initial={"distribution": item.distribution, "named_organisations": current},
        organisations=Organisation.objects.filter(is_active=True).order_by("name"),
        qsg=item.qsg,
    )
    changed = submit(
        request,
        form,
        lambda data: si.intelligence_item_change_distribution(
            actor=request.user,
            item=item,
            distribution=data["distribution"],
            named_organisations=list(data["named_organisations"]),
        ),
        done="Who may see it has been widened",
        then=reverse("surveillance:intelligence-detail", args=[item.pk]),
    )
    if changed:
        return changed
    # The page shows the item's words: a read in the access log like its own page.
    si.reads_log(user=request.user, items=[item], channel=Channel.PAGE)
    return render(
        request,
        "surveillance/intelligence/form.jinja",
        {
            "form": form,
            "item": item,
            "title": "Widen who may see it",
            "intro": "You can share an item more widely, never less: people who have seen it "
            "keep seeing it.",
            "submit": "Widen sharing",
            "back": reverse("surveillance:intelligence-detail", args=[item.pk]),
        },
    )


# The secretariat -------------------------------------------------------------------------------


def _require_secretariat(user) -> None:
    if not qsg_access.principal(user).managed_qsg_ids:
        raise Http404


def _triage_form(request, item: Item, *, bound: bool = True):
    initial = {
        "theme": item.theme_id,
        "providers": list(item.providers.all()),
        "for_next_meeting": item.for_next_meeting,
    }
    return once.with_token(TriageForm(posted(request) if bound else None, initial=initial))


def _triage_page(request, item: Item, form, merge_form):
    # The item's words and who gave it: a read in the access log like its own page.
    si.reads_log(user=request.user, items=[item], channel=Channel.PAGE)
    return render(
        request,
        "surveillance/intelligence/triage.jinja",
        {
            "form": form,
            "item": item,
            "organisation": sel.attribution(request.user, item),
            "merge_form": merge_form,
            "similar": sel.possible_duplicates(request.user, item),
        },
    )


@login_required
@require_GET
def intelligence_triage_queue(request):
    _require_secretariat(request.user)
    page = page_of(request, sel.triage_queue(request.user))
    return render(request, "surveillance/intelligence/triage_queue.jinja", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def intelligence_triage(request, pk):
    item = access.item_for_user(request.user, pk, manage=True)
    form = _triage_form(request, item)
    return submit(
        request,
        form,
        lambda data: si.intelligence_item_triage(
            actor=request.user,
            item=item,
            theme=data["theme"],
            providers=data["providers"],
            for_next_meeting=data["for_next_meeting"],
        ),
        done=f"{item.reference} has been triaged",
        then="surveillance:intelligence-triage-queue",
    ) or _triage_page(request, item, form, once.with_token(MergeForm()))


@login_required
@require_http_methods(["POST"])
def intelligence_merge(request, pk):
    item = access.item_for_user(request.user, pk, manage=True)
    form = MergeForm(request.POST)

    def merge(data):
        into = (
            access.items_for(request.user)
            .filter(reference__iexact=data["into"].strip(), qsg_id=item.qsg_id)
            .exclude(pk=item.pk)
            .first()
        )
        if into is None:
            raise ValidationError({"into": say("No other item of this QSG has that reference")})
        si.intelligence_item_merge(actor=request.user, item=item, into=into)
        return into

    return submit(
        request,
        form,
        merge,
        done=lambda into: f"{item.reference} is now a duplicate of {into.reference}",
        then=lambda into: reverse("surveillance:intelligence-detail", args=[into.pk]),
    ) or _triage_page(request, item, _triage_form(request, item, bound=False), form)


@login_required
@require_GET
def intelligence_access_log(request):
    _require_secretariat(request.user)
    log = sel.access_log_for(request.user)
    item_id = ids.parse_id(request.GET.get("item", ""))
    if item_id is not None:
        log = log.filter(item_id=item_id)
    page = page_of(request, log)
    return render(request, "surveillance/intelligence/access_log.jinja", {"page": page})
