"""Risk summit pages. Each view: access check (risksummits.access), a service, a response.

Every page of a summit records the view in the summit's access log.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qsg.models import Job, Organisation, User
from qsg.views import apply_errors, page_of, posted

from . import access, clock, handoff, selectors, services
from .access import SummitAccess
from .forms import (
    ActionForm,
    ActionUpdateForm,
    ChecksForm,
    CloseForm,
    GuestForm,
    ImpactRequestForm,
    ImpactResponseForm,
    JudgementForm,
    MeetingBookForm,
    MeetingCancelForm,
    MeetingRecordForm,
    ParticipantAddForm,
    RepresentativeAddForm,
    RingHolderConfirmForm,
    RingHolderPositionForm,
    RingHolderProposeForm,
    SummitEditForm,
    TriggerForm,
)
from .models import (
    AccessLogEntry,
    CQCJudgement,
    ImpactAssessmentResponse,
    Participant,
    Representative,
    SummitDocument,
    SummitMeeting,
)

BASE = "risksummits/"


def _open(request, pk, what: str, *, manage: bool = False) -> SummitAccess:
    """The summit as this user may see it (404/403 otherwise), with the view logged."""
    standing = access.summit_for_user(request.user, pk, manage=manage)
    services.access_log_record(user=request.user, summit=standing.summit, what=what)
    return standing


def _token(form) -> str:
    return (form.cleaned_data.get("form_token") or "") if form.is_bound else ""


def _new_token() -> str:
    return uuid.uuid4().hex


def _ctx(standing: SummitAccess, **extra) -> dict:
    return {
        "standing": standing,
        "summit": standing.summit,
        "describe_remaining": clock.describe_remaining,
        "today": timezone.localdate(),
        **extra,
    }


# List and trigger ------------------------------------------------------------------------------


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
@require_POST
def referrals_pick_up(request):
    """Open the summits that agreed meeting notes concluded were required (the beat task does
    the same every few minutes)."""
    qsg_ids = access.lead_qsg_ids(request.user)
    access.require(bool(qsg_ids))
    made = services.referrals_pick_up(qsg_ids=qsg_ids)
    if made:
        messages.success(
            request, f"{made} risk summit{'s' if made != 1 else ''} opened from meeting conclusions"
        )
    else:
        messages.success(request, "There were no meeting conclusions waiting for a risk summit")
    return redirect("risksummits:list")


@login_required
@require_http_methods(["GET", "POST"])
def summit_trigger(request):
    providers = (
        access.triggerable_providers_for(request.user).select_related("qsg").order_by("name")
    )
    access.require(providers.exists())
    initial = {"form_token": _new_token(), "judged_at_date": timezone.localdate()}
    initial["judged_at_time"] = timezone.localtime().strftime("%H:%M")
    if request.GET.get("provider", "").isdigit():
        initial["provider"] = int(request.GET["provider"])
    form = TriggerForm(posted(request), providers=providers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            summit = services.summit_trigger(
                actor=request.user,
                providers=data["providers"],
                concern=data["concern"],
                source=data["source"],
                source_detail=data["source_detail"],
                urgency=data["urgency"],
                judged_at=data["judged_at"],
                involves_adult_safeguarding=data["involves_adult_safeguarding"],
                involves_child_safeguarding=data["involves_child_safeguarding"],
                form_token=_token(form),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "judged_at" in error.error_dict:
                error = ValidationError(
                    {
                        ("judged_at_date" if k == "judged_at" else k): v
                        for k, v in error.error_dict.items()
                    }
                )
            apply_errors(form, error)
        else:
            messages.success(
                request,
                f"Risk summit {summit.reference} has been triggered. The participants have been told.",
            )
            return redirect(summit.get_absolute_url())
    return render(request, BASE + "trigger.jinja", {"form": form})


# The summit ------------------------------------------------------------------------------------


@login_required
@require_GET
def summit_detail(request, pk):
    standing = _open(request, pk, "Summit page")
    summit = standing.summit
    meetings = list(access.meetings_for(standing).order_by("number"))
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
        clock=selectors.clock_for(summit, meetings if not standing.shared_only else None),
        next_meeting=next(
            (m for m in meetings if m.status == "booked" and m.starts_at >= timezone.now()), None
        ),
        now=timezone.now(),
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
            closure_problems=services.closure_problems(summit).get("__all__", [])
            if summit.is_open
            else [],
        )
    return render(request, BASE + "detail.jinja", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def summit_edit(request, pk):
    standing = _open(request, pk, "Change details", manage=True)
    summit = standing.summit
    initial = {f: getattr(summit, f) for f in SummitEditForm.base_fields}
    form = SummitEditForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.summit_update(actor=request.user, summit=summit, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The summit's details have been saved")
            return redirect(summit.get_absolute_url())
    return render(request, BASE + "edit.jinja", _ctx(standing, form=form))


# Participants -----------------------------------------------------------------------------------


def _candidate_organisations(standing: SummitAccess):
    taking_part = Participant.objects.filter(summit=standing.summit, is_active=True).values(
        "organisation_id"
    )
    return (
        Organisation.objects.filter(is_active=True, memberships__qsg_id=standing.summit.qsg_id)
        .exclude(pk__in=taking_part)
        .distinct()
        .order_by("name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_add(request, pk):
    standing = _open(request, pk, "Add a participant", manage=True)
    organisations = _candidate_organisations(standing)
    people = (
        User.objects.filter(is_active=True, organisation__in=organisations)
        .select_related("organisation")
        .order_by("organisation__name", "last_name")
    )
    form = ParticipantAddForm(
        posted(request),
        organisations=organisations,
        people=people,
        initial={"form_token": _new_token()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            participant = services.participant_add(
                actor=request.user,
                summit=standing.summit,
                organisation=data["organisation"],
                shared_items_only=data["shared_items_only"],
                people=data["people"],
                form_token=_token(form),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{participant.organisation.name} now takes part")
            return redirect(standing.summit.get_absolute_url() + "#participants")
    return render(request, BASE + "participant_add.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def participant_remove(request, pk, participant_pk):
    standing = _open(request, pk, "Remove a participant", manage=True)
    participant = access.participant_for(standing, participant_pk)
    form = RingHolderConfirmForm(None)
    error = None
    if request.method == "POST":
        try:
            services.participant_remove(actor=request.user, participant=participant)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"{participant.organisation.name} no longer takes part")
            return redirect(standing.summit.get_absolute_url() + "#participants")
    return render(
        request,
        BASE + "confirm.jinja",
        _ctx(
            standing,
            form=form,
            error=error,
            heading=f"Remove {participant.organisation.name} from the summit?",
            text="Its people will no longer see the summit.",
            button="Remove",
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def representative_add(request, pk, participant_pk):
    standing = _open(request, pk, "Add a person", manage=True)
    participant = access.participant_for(standing, participant_pk)
    linked = Representative.objects.filter(summit=standing.summit).values("user_id")
    people = (
        User.objects.filter(is_active=True, organisation_id=participant.organisation_id)
        .exclude(pk__in=linked)
        .order_by("last_name", "first_name")
    )
    form = RepresentativeAddForm(posted(request), people=people)
    if request.method == "POST" and form.is_valid():
        try:
            services.representative_add(
                actor=request.user, participant=participant, user=form.cleaned_data["user"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['user'].display_name} now takes part")
            return redirect(standing.summit.get_absolute_url() + "#participants")
    return render(
        request,
        BASE + "representative_add.jinja",
        _ctx(standing, form=form, participant=participant),
    )


@login_required
@require_http_methods(["GET", "POST"])
def guest_invite(request, pk):
    standing = _open(request, pk, "Invite a guest", manage=True)
    organisations = (
        Organisation.objects.filter(is_active=True)
        .exclude(memberships__qsg_id=standing.summit.qsg_id)
        .order_by("name")
    )
    form = GuestForm(
        posted(request), organisations=organisations, initial={"form_token": _new_token()}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("form_token", None)
        try:
            rep = services.guest_invite(
                actor=request.user, summit=standing.summit, form_token=_token(form), **data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                f"{rep.user.display_name} has been invited. They can see this summit only.",
            )
            return redirect(standing.summit.get_absolute_url() + "#participants")
    return render(request, BASE + "guest_form.jinja", _ctx(standing, form=form))


# Ring-holder --------------------------------------------------------------------------------------


def _ring_holder_candidates(standing: SummitAccess):
    return Organisation.objects.filter(
        pk__in=Participant.objects.filter(
            summit=standing.summit, is_active=True, is_guest=False, shared_items_only=False
        ).values("organisation_id")
    ).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def ring_holder(request, pk):
    """The proposal, each organisation's position, and this person's organisation's answer."""
    standing = _open(request, pk, "Ring-holder")
    if standing.shared_only:
        raise Http404
    form = RingHolderPositionForm(
        posted(request),
        initial={
            "position": standing.participant.ring_holder_position if standing.participant else None
        },
    )
    if request.method == "POST":
        access.require(standing.can_take_position)
        if form.is_valid():
            try:
                services.ring_holder_position(
                    actor=request.user, standing=standing, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Your organisation's position has been recorded")
                return redirect("risksummits:ring-holder", standing.summit.pk)
    positions = (
        Participant.objects.filter(
            summit=standing.summit, is_active=True, is_guest=False, shared_items_only=False
        )
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return render(
        request,
        BASE + "ring_holder.jinja",
        _ctx(standing, form=form, positions=positions),
    )


@login_required
@require_http_methods(["GET", "POST"])
def ring_holder_propose(request, pk):
    standing = _open(request, pk, "Propose a ring-holder")
    if standing.shared_only:
        raise Http404
    access.require(standing.can_take_position or standing.leads)
    form = RingHolderProposeForm(posted(request), organisations=_ring_holder_candidates(standing))
    if request.method == "POST" and form.is_valid():
        try:
            services.ring_holder_propose(actor=request.user, standing=standing, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The proposal has been sent to the participants")
            return redirect("risksummits:ring-holder", standing.summit.pk)
    return render(request, BASE + "ring_holder_propose.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def ring_holder_confirm(request, pk):
    standing = _open(request, pk, "Record ring-holder agreement")
    if standing.shared_only:
        raise Http404
    access.require(standing.leads)
    form = RingHolderConfirmForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.ring_holder_confirm(
                actor=request.user, summit=standing.summit, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The agreement has been recorded")
            return redirect(standing.summit.get_absolute_url())
    return render(request, BASE + "ring_holder_confirm.jinja", _ctx(standing, form=form))


# Records -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def judgement(request, pk):
    standing = _open(request, pk, "CQC judgement")
    if standing.shared_only:
        raise Http404
    access.require(standing.is_cqc)
    form = JudgementForm(
        posted(request), initial={"form_token": _new_token(), "judged_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("form_token", None)
        try:
            services.judgement_record(
                actor=request.user, standing=standing, form_token=_token(form), **data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The CQC's regulatory judgement has been recorded")
            return redirect(standing.summit.get_absolute_url() + "#judgement")
    return render(request, BASE + "judgement_form.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def checks(request, pk):
    standing = _open(request, pk, "Referral and safeguarding checks", manage=True)
    summit = standing.summit
    initial = {f: getattr(summit, f) for f in ChecksForm.base_fields}
    form = ChecksForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.checks_record(actor=request.user, summit=summit, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The checks have been recorded")
            return redirect(summit.get_absolute_url() + "#checks")
    return render(request, BASE + "checks_form.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def impact_request(request, pk):
    standing = _open(request, pk, "Ask for a rapid impact assessment")
    if standing.shared_only:
        raise Http404
    access.require(standing.is_cqc)
    form = ImpactRequestForm(posted(request), initial={"form_token": _new_token()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.impact_request_create(
                actor=request.user,
                standing=standing,
                action_considered=data["action_considered"],
                respond_by=data["respond_by"],
                form_token=_token(form),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "respond_by" in error.error_dict:
                error = ValidationError({"respond_by_date": error.error_dict["respond_by"]})
            apply_errors(form, error)
        else:
            messages.success(request, "The other participants have been asked for an assessment")
            return redirect(standing.summit.get_absolute_url() + "#impact")
    return render(request, BASE + "impact_request_form.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def impact_respond(request, pk, request_pk):
    standing = _open(request, pk, "Rapid impact assessment")
    impact = access.impact_request_for(standing, request_pk)
    mine = None
    if standing.participant is not None:
        mine = ImpactAssessmentResponse.objects.filter(
            request=impact, organisation_id=standing.participant.organisation_id
        ).first()
    initial = {"impact": mine.impact, "assessment": mine.assessment} if mine else {}
    form = ImpactResponseForm(posted(request), initial=initial)
    if request.method == "POST":
        access.require(standing.can_answer_impact)
        if form.is_valid():
            try:
                services.impact_response_record(
                    actor=request.user, standing=standing, request=impact, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Your organisation's assessment has been recorded")
                return redirect(standing.summit.get_absolute_url() + "#impact")
    responses = impact.responses.select_related("organisation", "responded_by")
    return render(
        request,
        BASE + "impact_respond.jinja",
        _ctx(standing, form=form, impact=impact, responses=responses),
    )


# Meetings ------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_book(request, pk):
    standing = _open(request, pk, "Book a meeting", manage=True)
    form = MeetingBookForm(posted(request), initial={"form_token": _new_token()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_book(
                actor=request.user,
                summit=standing.summit,
                starts_at=data["starts_at"],
                format=data["format"],
                venue=data["venue"],
                shared_with_provider=data["shared_with_provider"],
                form_token=_token(form),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "starts_at" in error.error_dict:
                error = ValidationError({"starts_at_date": error.error_dict["starts_at"]})
            apply_errors(form, error)
        else:
            messages.success(request, f"The {meeting.title.lower()} has been booked")
            return redirect("risksummits:meeting", standing.summit.pk, meeting.pk)
    return render(request, BASE + "meeting_book.jinja", _ctx(standing, form=form))


@login_required
@require_GET
def meeting_detail(request, pk, meeting_pk):
    standing = _open(request, pk, "Summit meeting")
    meeting = access.meeting_for(standing, meeting_pk)
    attendance = meeting.attendance.select_related("user", "organisation").order_by(
        "organisation__name"
    )
    actions = (
        access.actions_for(standing)
        .filter(meeting=meeting)
        .select_related("owner_organisation", "owner")
    )
    documents = access.documents_for(standing).filter(meeting=meeting).order_by("-version")
    return render(
        request,
        BASE + "meeting_detail.jinja",
        _ctx(
            standing,
            meeting=meeting,
            attendance=attendance,
            objectives=selectors.actions_by_objective(actions),
            documents=documents,
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_record(request, pk, meeting_pk):
    standing = _open(request, pk, "Record a meeting", manage=True)
    meeting = access.meeting_for(standing, meeting_pk)
    people = (
        User.objects.filter(
            pk__in=Representative.objects.filter(
                summit=standing.summit, participant__is_active=True
            ).values("user_id")
        )
        .select_related("organisation")
        .order_by("organisation__name", "last_name")
    )
    local_start = timezone.localtime(meeting.starts_at)
    initial = {
        "starts_at_date": local_start.date(),
        "starts_at_time": local_start.strftime("%H:%M"),
        "ends_at_time": timezone.localtime(meeting.ends_at).strftime("%H:%M")
        if meeting.ends_at
        else "",
        "chaired_by": meeting.chaired_by,
        "discussion": meeting.discussion,
        "judgements": meeting.judgements,
        "shared_with_provider": meeting.shared_with_provider,
        "present": list(meeting.attendance.values_list("user_id", flat=True)),
    }
    form = MeetingRecordForm(posted(request), people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_record(
                actor=request.user,
                meeting=meeting,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                chaired_by=data["chaired_by"],
                discussion=data["discussion"],
                judgements=data["judgements"],
                present=data["present"],
                shared_with_provider=data["shared_with_provider"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                renamed = {"starts_at": "starts_at_date", "ends_at": "ends_at_time"}
                error = ValidationError({renamed.get(k, k): v for k, v in error.error_dict.items()})
            apply_errors(form, error)
        else:
            messages.success(request, f"The {meeting.title.lower()} has been recorded as held")
            return redirect("risksummits:meeting", standing.summit.pk, meeting.pk)
    return render(
        request, BASE + "meeting_record.jinja", _ctx(standing, form=form, meeting=meeting)
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk, meeting_pk):
    standing = _open(request, pk, "Cancel a meeting", manage=True)
    meeting = access.meeting_for(standing, meeting_pk)
    form = MeetingCancelForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(
                actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"The {meeting.title.lower()} has been cancelled")
            return redirect(standing.summit.get_absolute_url() + "#meetings")
    return render(
        request, BASE + "meeting_cancel.jinja", _ctx(standing, form=form, meeting=meeting)
    )


# Actions -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request, pk):
    standing = _open(request, pk, "Add an action", manage=True)
    summit = standing.summit
    organisations = Organisation.objects.filter(
        pk__in=Participant.objects.filter(summit=summit, is_active=True).values("organisation_id")
    ).order_by("name")
    people = (
        User.objects.filter(
            pk__in=Representative.objects.filter(summit=summit, participant__is_active=True).values(
                "user_id"
            )
        )
        .select_related("organisation")
        .order_by("organisation__name", "last_name")
    )
    meetings = SummitMeeting.objects.filter(summit=summit).exclude(
        status=SummitMeeting.Status.CANCELLED
    )
    initial = {"form_token": _new_token()}
    if request.GET.get("meeting", "").isdigit():
        initial["meeting"] = int(request.GET["meeting"])
    form = ActionForm(
        posted(request),
        organisations=organisations,
        people=people,
        meetings=meetings,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("form_token", None)
        try:
            action = services.action_create(
                actor=request.user, summit=summit, form_token=_token(form), **data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Action {action.number} has been added")
            if action.meeting_id:
                return redirect("risksummits:meeting", summit.pk, action.meeting_id)
            return redirect(summit.get_absolute_url() + "#actions")
    return render(request, BASE + "action_form.jinja", _ctx(standing, form=form))


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request, pk, action_pk):
    standing = _open(request, pk, "Summit action")
    action = access.action_for(standing, action_pk)
    can_update = standing.summit.is_open and services.can_update_action(standing, action)
    initial = {
        "status": action.status,
        "progress_note": action.progress_note,
        "transferred_to": action.transferred_to,
        "due_on": action.due_on,
    }
    form = ActionUpdateForm(posted(request), initial=initial)
    if request.method == "POST":
        access.require(can_update)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if not standing.can_manage:
                data["due_on"] = None
            try:
                services.action_update(actor=request.user, standing=standing, action=action, **data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Action {action.number} has been updated")
                return redirect(standing.summit.get_absolute_url() + "#actions")
    return render(
        request,
        BASE + "action_detail.jinja",
        _ctx(standing, action=action, form=form, can_update=can_update),
    )


# Closure ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def summit_close(request, pk):
    standing = _open(request, pk, "Close the summit", manage=True)
    summit = standing.summit
    form = CloseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.summit_close(actor=request.user, summit=summit, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Risk summit {summit.reference} has been closed")
            return redirect(summit.get_absolute_url())
    problems = services.closure_problems(summit).get("__all__", []) if summit.is_open else []
    return render(request, BASE + "close.jinja", _ctx(standing, form=form, problems=problems))


# PDFs -------------------------------------------------------------------------------------------------


@login_required
@require_POST
def document_request(request, pk):
    standing = _open(request, pk, "Ask for a PDF")
    kind = request.POST.get("kind", "")
    meeting = None
    if kind == SummitDocument.Kind.MEETING:
        meeting = access.meeting_for(standing, request.POST.get("meeting"))
    elif kind == SummitDocument.Kind.CLOSURE:
        if standing.shared_only:
            raise Http404
    else:
        raise Http404
    try:
        document, _ = services.document_request(
            actor=request.user, standing=standing, kind=kind, meeting=meeting
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(standing.summit.get_absolute_url())
    return redirect("risksummits:document", standing.summit.pk, document.pk)


@login_required
@require_GET
def document_detail(request, pk, document_pk):
    standing = _open(request, pk, "PDF status")
    document = access.document_for(standing, document_pk)
    job = Job.objects.get(pk=document.job_id)
    template = BASE + "partials/document_job.jinja" if request.htmx else BASE + "document.jinja"
    return render(request, template, _ctx(standing, document=document, job=job))


@login_required
@require_GET
def document_download(request, pk, document_pk):
    standing = _open(request, pk, "PDF download")
    document = access.document_for(standing, document_pk)
    job = Job.objects.get(pk=document.job_id)
    path = job.counts.get("path")
    if job.status != Job.Status.SUCCEEDED or not path or not default_storage.exists(path):
        raise Http404
    with default_storage.open(path, "rb") as fh:
        content = fh.read()
    response = HttpResponse(content, content_type="application/pdf")
    filename = job.counts.get("filename", "risk-summit.pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Audit -------------------------------------------------------------------------------------------------


@login_required
@require_GET
def access_log(request, pk):
    standing = access.summit_for_user(request.user, pk)
    access.require(standing.can_read_log)
    services.access_log_record(user=request.user, summit=standing.summit, what="Access log")
    entries = AccessLogEntry.objects.filter(summit=standing.summit).select_related(
        "user", "user__organisation"
    )
    return render(
        request, BASE + "access_log.jinja", _ctx(standing, page=page_of(request, entries, 100))
    )


# Sections for other pages -----------------------------------------------------------------------------


def provider_section(request, provider):
    """Summits about this provider that this person may see."""
    summits = list(
        access.summits_for(request.user)
        .filter(providers=provider)
        .select_related("ring_holder")
        .order_by("status", "-triggered_at")[:20]
    )
    can_trigger = access.triggerable_providers_for(request.user).filter(pk=provider.pk).exists()
    if not summits and not can_trigger:
        return None
    return {"summits": summits, "provider": provider, "can_trigger": can_trigger}


def home_alerts(request):
    return selectors.home_alerts(request.user)


def home_my_summits(request):
    return selectors.my_summits(request.user)


def nav_visible(request) -> bool:
    return access.sees_any_summit(request.user)
