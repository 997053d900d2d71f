"""Pages of the network: home, organisations, QSGs and their membership, providers, profile.

Each view: access check (qsg.access), then a service for writes, then a response.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qsg.vocabulary import offline, say

from . import access, audit, jobs, navigation, services
from .accounts import oidc
from .accounts import policy as account_policy
from .accounts import views as account_views
from .forms import (
    ConfirmForm,
    LoginForm,
    MembershipAddForm,
    MembershipEditForm,
    OrganisationForm,
    ProfileForm,
    ProviderForm,
    ProviderSearchForm,
    QSGSettingsForm,
    RoleAssignForm,
)
from .models import QSG, Membership, Organisation, QSGRole
from .pages import apply_errors, page_of, posted, submit

log = logging.getLogger(__name__)


# Authentication ---------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "registration/login.jinja"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self):
        target = super().get_success_url()
        if account_policy.second_factor_missing(self.request.user):
            return f"{reverse('qsg:two-factor-verify')}?{urlencode({'next': target})}"
        return target

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "sso_enabled": oidc.enabled(),
            "sso_name": settings.OIDC_PROVIDER_NAME,
            "demo_two_factor_exempt": settings.QSG_TWO_FACTOR_DEMO_EXEMPT,
        }


class LogoutView(auth_views.LogoutView):
    """Signs out here and, after a single sign-on, at the identity provider too."""

    def post(self, request, *args, **kwargs):
        provider_logout = oidc.logout_url(request, request.session.get(oidc.ID_TOKEN_KEY))
        response = super().post(request, *args, **kwargs)
        if not provider_logout:
            return response
        # CSP form-action must name the provider (settings.provider_origins) for this redirect.
        return redirect(provider_logout)


# Home and profile -----------------------------------------------------------------------------


@login_required
@require_GET
def home(request):
    return render(request, "qsg/home.jinja", {"panels": navigation.home_panels(request)})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.user_profile_update(actor=user, user=user, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Your details have been saved")
                return redirect("qsg:profile")
    else:
        form = ProfileForm(initial={f: getattr(user, f) for f in ProfileForm.base_fields})
    p = access.principal(user)
    roles = QSGRole.objects.filter(user=user).select_related("qsg").order_by("qsg__name")
    return render(
        request,
        "qsg/profile.jinja",
        {
            "form": form,
            "roles": roles,
            "principal": p,
            **account_views.profile_context(user),
        },
    )


# Organisations ----------------------------------------------------------------------------------


@login_required
@require_GET
def organisation_list(request):
    organisations = (
        access.organisations_for(request.user)
        .select_related("type")
        .annotate(qsg_count=Count("memberships", distinct=True))
        .order_by("name")
    )
    query = request.GET.get("q", "").strip()[:100]
    if query:
        organisations = organisations.filter(Q(name__icontains=query) | Q(ods_code__iexact=query))
    can_create = bool(access.principal(request.user).managed_qsg_ids)
    return render(
        request,
        "qsg/organisation_list.jinja",
        {"page": page_of(request, organisations), "query": query, "can_create": can_create},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    access.require(bool(access.principal(request.user).managed_qsg_ids))
    form = OrganisationForm(posted(request))
    return submit(
        request,
        form,
        lambda data: services.organisation_create(actor=request.user, **data),
        done=lambda organisation: f"{organisation.name} has been added",
        then=lambda organisation: organisation.get_absolute_url(),
    ) or render(request, "qsg/organisation_form.jinja", {"form": form, "organisation": None})


@login_required
@require_GET
def organisation_detail(request, pk):
    organisation = access.organisation_for_user(request.user, pk)
    p = access.principal(request.user)
    memberships = organisation.memberships.filter(qsg_id__in=p.qsg_ids).select_related("qsg")
    people = access.people_for(request.user).filter(organisation=organisation).order_by("last_name")
    can_manage = access.can_manage_organisation(request.user, organisation)
    history = audit.history_rows(organisation.history.all()) if can_manage else None
    return render(
        request,
        "qsg/organisation_detail.jinja",
        {
            "organisation": organisation,
            "memberships": memberships,
            "people": people,
            "can_manage": can_manage,
            "history": history,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    organisation = access.organisation_for_user(request.user, pk, manage=True)
    initial = {
        "name": organisation.name,
        "type": organisation.type_id,
        "ods_code": organisation.ods_code,
        "email": organisation.email,
    }
    form = OrganisationForm(posted(request), initial=initial)
    return submit(
        request,
        form,
        lambda data: services.organisation_update(
            actor=request.user, organisation=organisation, **data
        ),
        done="The organisation's details have been saved",
        then=organisation.get_absolute_url(),
    ) or render(
        request, "qsg/organisation_form.jinja", {"form": form, "organisation": organisation}
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_delete(request, pk):
    organisation = access.organisation_for_user(request.user, pk, manage=True)
    form = ConfirmForm(posted(request))
    return submit(
        request,
        form,
        lambda _: services.organisation_delete(actor=request.user, organisation=organisation),
        done=f"{organisation.name} has been deleted",
        then="qsg:organisation-list",
    ) or render(
        request,
        "qsg/confirm_delete.jinja",
        {
            "form": form,
            "object": organisation,
            "object_kind": "organisation",
            "back": organisation.get_absolute_url(),
        },
    )


# QSGs -------------------------------------------------------------------------------------------


@login_required
@require_GET
def qsg_list(request):
    p = access.principal(request.user)
    qsgs = (
        access.qsgs_for(request.user)
        .select_related("regional_qsg")
        .annotate(
            member_count=Count("memberships", distinct=True),
            provider_count=Count("providers", distinct=True),
        )
        .order_by("level", "name")
    )
    rows = [{"qsg": q, "roles": p.role_names(q.pk)} for q in qsgs]
    return render(request, "qsg/qsg_list.jinja", {"rows": rows})


@login_required
@require_GET
def qsg_detail(request, pk):
    qsg = access.qsg_for_user(request.user, pk)
    p = access.principal(request.user)
    memberships = qsg.memberships.select_related("organisation", "organisation__type").order_by(
        "organisation__type__sort_order", "organisation__name"
    )
    roles = qsg.roles.select_related("user", "user__organisation").order_by(
        "role", "user__last_name"
    )
    can_manage = p.manages(qsg.pk)
    history = audit.history_rows(QSG.history.filter(id=qsg.pk), limit=10) if can_manage else None
    # The groups one tier down (a region's locals, a national group's regions) the user sees.
    local_qsgs = None if qsg.is_local else qsg.local_qsgs.filter(pk__in=p.qsg_ids).order_by("name")
    footprint = access.footprint(qsg)
    return render(
        request,
        "qsg/qsg_detail.jinja",
        {
            "qsg": qsg,
            "memberships": memberships,
            "roles": roles,
            "can_manage": can_manage,
            "my_roles": p.role_names(qsg.pk),
            "provider_count": footprint.count(),
            "shared_count": footprint.exclude(qsg=qsg).count() if qsg.is_local else 0,
            "local_qsgs": local_qsgs,
            "history": history,
            "sections": navigation.detail_sections("qsg", request, qsg),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def qsg_settings(request, pk):
    qsg = access.qsg_for_user(request.user, pk, manage=True)
    form = QSGSettingsForm(
        posted(request),
        initial={"footprint": qsg.footprint, "moderation_enabled": qsg.moderation_enabled},
    )
    return submit(
        request,
        form,
        lambda data: services.qsg_update(actor=request.user, qsg=qsg, **data),
        done=say("The QSG's settings have been saved"),
        then=qsg.get_absolute_url(),
    ) or render(request, "qsg/qsg_settings.jinja", {"form": form, "qsg": qsg})


@login_required
@require_GET
def qsg_history(request, pk):
    qsg = access.qsg_for_user(request.user, pk, manage=True)
    return render(
        request,
        "qsg/qsg_history.jinja",
        {
            "qsg": qsg,
            "qsg_history": audit.history_rows(QSG.history.filter(id=qsg.pk)),
            "membership_history": audit.history_rows(
                Membership.history.filter(qsg_id=qsg.pk), limit=200
            ),
            "role_history": audit.history_rows(QSGRole.history.filter(qsg_id=qsg.pk), limit=200),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_add(request, pk):
    qsg = access.qsg_for_user(request.user, pk, manage=True)
    existing = qsg.memberships.values("organisation_id")
    candidates = (
        access.organisation_directory_for(request.user).exclude(pk__in=existing).order_by("name")
    )
    form = MembershipAddForm(posted(request), organisations=candidates)
    return submit(
        request,
        form,
        lambda data: services.membership_add(actor=request.user, qsg=qsg, **data),
        done=lambda membership: f"{membership.organisation.name} is now a member of {qsg.name}",
        then=qsg.get_absolute_url(),
    ) or render(
        request, "qsg/membership_form.jinja", {"form": form, "qsg": qsg, "membership": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_edit(request, pk, membership_pk):
    membership = access.membership_for_user(request.user, membership_pk, manage=True, qsg_id=pk)
    qsg = membership.qsg
    initial = {
        "kind": membership.kind,
        "joined_on": membership.joined_on,
        "notes": membership.notes,
    }
    form = MembershipEditForm(posted(request), initial=initial)
    return submit(
        request,
        form,
        lambda data: services.membership_update(actor=request.user, membership=membership, **data),
        done=f"{membership.organisation.name}'s membership has been updated",
        then=qsg.get_absolute_url(),
    ) or render(
        request, "qsg/membership_form.jinja", {"form": form, "qsg": qsg, "membership": membership}
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_remove(request, pk, membership_pk):
    membership = access.membership_for_user(request.user, membership_pk, manage=True, qsg_id=pk)
    form = ConfirmForm(posted(request))
    return submit(
        request,
        form,
        lambda _: services.membership_remove(actor=request.user, membership=membership),
        done=f"{membership.organisation.name} is no longer a member of {membership.qsg.name}",
        then=membership.qsg.get_absolute_url(),
    ) or render(
        request,
        "qsg/confirm_delete.jinja",
        {
            "form": form,
            "object": membership,
            "object_kind": "membership",
            "verb": "Remove",
            "back": membership.qsg.get_absolute_url(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def role_add(request, pk):
    qsg = access.qsg_for_user(request.user, pk, manage=True)
    people = access.assignable_people_for(request.user, qsg).order_by("last_name", "first_name")
    form = RoleAssignForm(posted(request), people=people, qsg=qsg)
    return submit(
        request,
        form,
        lambda data: services.role_assign(actor=request.user, qsg=qsg, **data),
        done=lambda qsg_role: (
            f"{qsg_role.user.display_name} is now {qsg_role.get_role_display().lower()} of {qsg.name}"
        ),
        then=qsg.get_absolute_url(),
    ) or render(request, "qsg/role_form.jinja", {"form": form, "qsg": qsg})


@login_required
@require_http_methods(["GET", "POST"])
def role_remove(request, pk, role_pk):
    qsg_role = access.role_for_user(request.user, role_pk, manage=True, qsg_id=pk)
    form = ConfirmForm(posted(request))
    return submit(
        request,
        form,
        lambda _: services.role_remove(actor=request.user, qsg_role=qsg_role),
        done=f"{qsg_role.user.display_name} no longer has that role",
        then=qsg_role.qsg.get_absolute_url(),
    ) or render(
        request,
        "qsg/confirm_delete.jinja",
        {
            "form": form,
            "object": qsg_role,
            "object_kind": "role",
            "verb": "Remove",
            "back": qsg_role.qsg.get_absolute_url(),
        },
    )


# Providers ----------------------------------------------------------------------------------------


@login_required
@require_GET
def provider_list(request):
    visible_qsgs = access.qsgs_for(request.user).filter(level=QSG.Level.LOCAL).order_by("name")
    form = ProviderSearchForm(request.GET or None, qsgs=visible_qsgs)
    providers = access.providers_for(request.user).select_related("qsg").order_by("name")
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            providers = providers.filter(
                Q(name__icontains=data["q"]) | Q(ods_code__iexact=data["q"].strip())
            )
        if data.get("sector"):
            providers = providers.filter(sector=data["sector"])
        if data.get("qsg"):
            providers = providers.filter(access.in_footprint(data["qsg"]))
    can_create = bool(
        access.principal(request.user).managed_qsg_ids
        & set(visible_qsgs.values_list("pk", flat=True))
    )
    return render(
        request,
        "qsg/provider_list.jinja",
        {"form": form, "page": page_of(request, providers), "can_create": can_create},
    )


def _provider_form(request, *, data=None, initial=None, provider=None):
    managed = access.managed_qsgs_for(request.user).filter(level=QSG.Level.LOCAL).order_by("name")
    commissioners = (
        Organisation.objects.filter(
            is_active=True, type__is_commissioner=True, memberships__qsg__in=managed
        )
        .distinct()
        .order_by("name")
    )
    return ProviderForm(
        data,
        initial=initial,
        qsgs=managed,
        commissioners=commissioners,
        # The groups it may name; its present lead group is not offered as another.
        other_qsgs=access.footprint_groups_for(request.user).exclude(
            pk=provider.qsg_id if provider else None
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def provider_create(request):
    access.require(access.managed_qsgs_for(request.user).filter(level=QSG.Level.LOCAL).exists())
    form = _provider_form(request, data=posted(request))
    return submit(
        request,
        form,
        lambda data: services.provider_create(actor=request.user, **data),
        done=lambda provider: f"{provider.name} has been added to the register",
        then=lambda provider: provider.get_absolute_url(),
    ) or render(request, "qsg/provider_form.jinja", {"form": form, "provider": None})


@login_required
@require_GET
def provider_detail(request, pk):
    provider = access.provider_for_user(request.user, pk)
    p = access.principal(request.user)
    can_manage = p.manages(provider.qsg_id)
    return render(
        request,
        "qsg/provider_detail.jinja",
        {
            "provider": provider,
            # Other groups whose footprint it sits in; linked only where the reader sees them.
            "other_qsgs": [(q, p.sees_qsg(q.pk)) for q in provider.other_qsgs.order_by("name")],
            "commissioners": provider.commissioners.order_by("name"),
            "can_manage": can_manage,
            "history": audit.history_rows(provider.history.all()) if can_manage else None,
            "sections": navigation.detail_sections("provider", request, provider),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def provider_edit(request, pk):
    provider = access.provider_for_user(request.user, pk, manage=True)
    initial = {
        "ods_code": provider.ods_code,
        "name": provider.name,
        "sector": provider.sector,
        "qsg": provider.qsg_id,
        "district": provider.district,
        "commissioners": list(provider.commissioners.values_list("pk", flat=True)),
        "other_qsgs": list(provider.other_qsgs.values_list("pk", flat=True)),
    }
    form = _provider_form(request, data=posted(request), initial=initial, provider=provider)

    def save(data):
        commissioners = data.pop("commissioners")
        # Keep commissioners outside this secretariat's QSGs that it cannot see in the form.
        hidden = provider.commissioners.exclude(pk__in=form.fields["commissioners"].queryset)
        others = [*data.pop("other_qsgs"), *access.other_qsgs_unseen(request.user, provider)]
        services.provider_update(
            actor=request.user,
            provider=provider,
            commissioners=[*commissioners, *hidden],
            other_qsgs=others,
            **data,
        )

    return submit(
        request,
        form,
        save,
        done="The provider's details have been saved",
        then=provider.get_absolute_url(),
    ) or render(request, "qsg/provider_form.jinja", {"form": form, "provider": provider})


@login_required
@require_http_methods(["GET", "POST"])
def provider_delete(request, pk):
    provider = access.provider_for_user(request.user, pk, manage=True)
    form = ConfirmForm(posted(request))
    return submit(
        request,
        form,
        lambda _: services.provider_delete(actor=request.user, provider=provider),
        done=f"{provider.name} has been deleted",
        then="qsg:provider-list",
    ) or render(
        request,
        "qsg/confirm_delete.jinja",
        {
            "form": form,
            "object": provider,
            "object_kind": "provider",
            "back": provider.get_absolute_url(),
        },
    )


# Operations ---------------------------------------------------------------------------------------


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def readyz(request):
    from .health import readiness

    checks = readiness()
    status = 200 if all(c["ok"] for c in checks.values()) else 503
    return JsonResponse({"checks": checks}, status=status)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def error_404(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "errors/404.jinja", status=404)


def error_403(request, exception=None):
    if _wants_json(request):
        return JsonResponse(
            {"detail": "You do not have permission to perform this action."}, status=403
        )
    return render(request, "errors/403.jinja", status=403)


def error_500(request):
    # The error pages never read the database (it may be what failed): terms come from the
    # profile or the last read of the administrators' overrides.
    with offline():
        return _error_500(request)


def _error_500(request):
    # The database being unreachable (restarting, failing over) is temporary: say so, with a
    # 503 and Retry-After, so that people and load balancers try again (tests/faults/).
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        if _wants_json(request):
            response = JsonResponse(
                {"detail": "The service is not available. Try again in a minute."}, status=503
            )
        else:
            response = render(request, "errors/503.jinja", status=503)
        response["Retry-After"] = "30"
        return response
    if _wants_json(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return render(request, "errors/500.jinja", status=500)


def error_400(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return render(request, "errors/400.jinja", status=400)


def request_too_large(request):
    """413 for a body over the cap (qsg.middleware.RequestSizeLimitMiddleware)."""
    from .middleware import max_request_bytes

    cap = settings.QSG_MAX_UPLOAD_BYTES
    size = f"{cap // (1024 * 1024)} MB" if cap >= 1024 * 1024 else f"{max(cap // 1024, 1)} KB"
    detail = f"The file must be smaller than {size}"
    if _wants_json(request):
        return JsonResponse({"detail": detail, "file": [detail]}, status=413)
    # No `Connection: close`: it is hop-by-hop, which a WSGI application may not send (runserver
    # answered it with a 500; gunicorn drops it). The server drains or closes as it sees fit.
    return render(
        request,
        "errors/413.jinja",
        {"detail": detail, "limit": max_request_bytes(), "back": request.path},
        status=413,
    )


def csrf_failure(request, reason=""):
    return render(request, "errors/403_csrf.jinja", status=403)


# Failed background jobs ---------------------------------------------------------------------


@login_required
@require_GET
def failed_jobs(request):
    """Jobs that failed or could not be queued, for the secretariat that looks after them."""
    access.require(access.can_see_failed_jobs(request.user))
    failed = access.failed_jobs_for(request.user).select_related("created_by", "qsg")
    page = page_of(request, failed.order_by("-created_at"), size=25)
    rows = [
        {"job": job, "label": jobs.label(job.kind), "can_retry": jobs.can_retry(job)}
        for job in page.object_list
    ]
    return render(request, "qsg/failed_jobs.jinja", {"page": page, "rows": rows})


@login_required
@require_POST
def job_retry(request, pk):
    job = access.job_for_user(request.user, pk)
    if job.status not in jobs.RETRYABLE_STATUSES:
        messages.info(request, "That job is no longer failed: it has been queued again already")
    elif not jobs.can_retry(job):
        messages.error(request, "This kind of job cannot be tried again from here")
    else:
        try:
            queued = jobs.retry(job, request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if queued is False:
                messages.info(request, "That job has been queued again already")
            else:
                log.info("job %s (%s) queued again by user %s", job.pk, job.kind, request.user.pk)
                messages.success(request, f"{jobs.label(job.kind)}: queued again")
    return redirect("qsg:failed-jobs")
