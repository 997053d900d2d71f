"""Pages of the note: the note itself, records of discussion, conclusions, the chair's
settling of a disagreement."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qsg import access as qsg_access
from qsg import once
from qsg.pages import posted
from surveillance.meetings import access as am
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.forms import CommentForm, ConclusionForm, PassageForm, SettleForm
from surveillance.meetings.models import (
    Conclusion,
    Meeting,
    MeetingNote,
    NoteComment,
    NoteEvent,
    NotePassage,
)
from surveillance.meetings.services import note as note_services
from surveillance.meetings.views._common import (
    _confirm_delete,
    _editable_note,
    _footprint,
    _form_flow,
    _meeting_context,
    _page,
)

NoteStatus = MeetingNote.Status


@login_required
@require_GET
def note(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    existing = am.note_of(meeting)
    can_manage = am.manages(request.user, meeting.qsg_id)
    if not am.can_read_note(request.user, existing, meeting.qsg_id):
        # Nothing of the note's content: whether one exists is on the meeting's page anyway.
        return render(
            request,
            "surveillance/meetings/note_start.jinja",
            _meeting_context(request, meeting, note=existing),
        )
    note = am.note_for_user(request.user, meeting)
    document = selectors_meetings.document_dates(
        selectors_meetings.redact_for(
            request.user, selectors_meetings.note_document(meeting, note), qsg_id=meeting.qsg_id
        )
    )
    is_chair = am.chairs(request.user, meeting.qsg_id)
    comments = (
        NoteComment.objects.filter(note=note).select_related(
            "author", "author__organisation", "agenda_item"
        )
        if note.status != NoteStatus.DRAFT or can_manage or is_chair
        else NoteComment.objects.none()
    )
    events = (
        NoteEvent.objects.filter(meeting=meeting).select_related("actor")
        if can_manage or is_chair
        else None
    )
    comment_form = (
        once.with_token(CommentForm())
        if am.can_comment(request.user, note, meeting.qsg_id)
        else None
    )
    return render(
        request,
        "surveillance/meetings/note.jinja",
        _meeting_context(
            request,
            meeting,
            note=note,
            doc=document,
            comments=comments,
            events=events,
            comment_form=comment_form,
            versions=am.versions_for(request.user, meeting, note),
            editable=can_manage and not note.is_locked,
            # What stops agreement, for the chair and secretariat: the Agree button waits for it.
            gaps=(
                note_services.meeting_note_agreement_gaps(note)
                if (can_manage or is_chair) and not note.is_locked
                else []
            ),
        ),
    )


@login_required
@require_POST
def note_start(request, pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    note_services.meeting_note_start(actor=request.user, meeting=meeting)
    return redirect("surveillance:note", meeting.pk)


def _items_of(meeting: Meeting, user):
    """The agenda items this person may see (`access.agenda_items_for`)."""
    return am.agenda_items_for(user).filter(meeting=meeting).order_by("position", "pk")


@login_required
@require_http_methods(["GET", "POST"])
def passage_create(request, pk):
    meeting, note = _editable_note(request, pk)
    initial = (
        {"agenda_item": request.GET.get("item")} if request.GET.get("item", "").isdigit() else {}
    )
    form = once.with_token(
        PassageForm(posted(request), initial=initial, items=_items_of(meeting, request.user))
    )
    return _form_flow(
        request,
        form,
        scope="note-passage",
        save=lambda d: note_services.passage_save(actor=request.user, note=note, **d),
        done="The record of discussion has been saved",
        then=lambda _: (
            reverse("surveillance:note", args=[meeting.pk])
            + f"#item-{form.cleaned_data['agenda_item'].pk}"
        ),
        page=_page(meeting, "Record the discussion", "Save record"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def passage_edit(request, pk, passage_pk):
    meeting, note = _editable_note(request, pk)
    _, passage = am.note_part_for_user(request.user, meeting, NotePassage, passage_pk)
    if not _items_of(meeting, request.user).filter(pk=passage.agenda_item_id).exists():
        raise Http404("Not found")
    initial = {
        "agenda_item": passage.agenda_item_id,
        "text": passage.text,
        "foi_exemption": passage.foi_exemption_id,
    }
    form = PassageForm(posted(request), initial=initial, items=_items_of(meeting, request.user))
    return _form_flow(
        request,
        form,
        save=lambda d: note_services.passage_save(
            actor=request.user, note=note, passage=passage, **d
        ),
        done="The record of discussion has been saved",
        then=lambda _: (
            reverse("surveillance:note", args=[meeting.pk])
            + f"#item-{form.cleaned_data['agenda_item'].pk}"
        ),
        page=_page(meeting, "Change the record of discussion", "Save record"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def passage_delete(request, pk, passage_pk):
    meeting, note = _editable_note(request, pk)
    _, passage = am.note_part_for_user(request.user, meeting, NotePassage, passage_pk)
    return _confirm_delete(
        request,
        what="this passage of the record",
        back=reverse("surveillance:note", args=[meeting.pk]),
        action=lambda: note_services.passage_delete(actor=request.user, note=note, passage=passage),
        done="The passage has been removed",
    )


def _conclusion_form(request, meeting: Meeting, conclusion: Conclusion | None):
    initial = {}
    if conclusion is not None:
        initial = {
            "provider": conclusion.provider_id,
            "category": conclusion.category_id,
            "agenda_item": conclusion.agenda_item_id,
            "key_issues": conclusion.key_issues,
            "rationale": conclusion.rationale,
            "dissent": conclusion.dissent,
            "foi_exemption": conclusion.foi_exemption_id,
        }
    elif request.GET.get("provider", "").isdigit():
        initial = {"provider": request.GET["provider"], "agenda_item": request.GET.get("item")}
    form = ConclusionForm(
        posted(request),
        initial=initial,
        providers=_footprint(meeting.qsg),
        items=_items_of(meeting, request.user),
    )
    return once.with_token(form) if conclusion is None else form


@login_required
@require_http_methods(["GET", "POST"])
def conclusion_create(request, pk):
    meeting, note = _editable_note(request, pk)
    return _form_flow(
        request,
        _conclusion_form(request, meeting, None),
        scope="conclusion",
        save=lambda d: note_services.conclusion_save(actor=request.user, note=note, **d),
        done=lambda conclusion: f"The conclusion on {conclusion.provider.name} has been recorded",
        then=reverse("surveillance:note", args=[meeting.pk]) + "#conclusions",
        page=_page(meeting, "Record a conclusion on a provider", "Save conclusion"),
        template="surveillance/meetings/conclusion_form.jinja",
    )


@login_required
@require_http_methods(["GET", "POST"])
def conclusion_edit(request, pk, conclusion_pk):
    meeting, note = _editable_note(request, pk)
    _, conclusion = am.note_part_for_user(request.user, meeting, Conclusion, conclusion_pk)
    if conclusion.is_confidential and not am.sees_confidential(request.user, meeting.qsg_id):
        raise Http404("Not found")
    return _form_flow(
        request,
        _conclusion_form(request, meeting, conclusion),
        save=lambda d: note_services.conclusion_save(
            actor=request.user, note=note, conclusion=conclusion, **d
        ),
        done=lambda saved: f"The conclusion on {saved.provider.name} has been saved",
        then=reverse("surveillance:note", args=[meeting.pk]) + "#conclusions",
        page=_page(
            meeting, f"Change the conclusion on {conclusion.provider.name}", "Save conclusion"
        ),
        template="surveillance/meetings/conclusion_form.jinja",
    )


@login_required
@require_http_methods(["GET", "POST"])
def conclusion_delete(request, pk, conclusion_pk):
    meeting, note = _editable_note(request, pk)
    _, conclusion = am.note_part_for_user(request.user, meeting, Conclusion, conclusion_pk)
    return _confirm_delete(
        request,
        what=f"the conclusion on {conclusion.provider.name}",
        back=reverse("surveillance:note", args=[meeting.pk]) + "#conclusions",
        action=lambda: note_services.conclusion_delete(
            actor=request.user, note=note, conclusion=conclusion
        ),
        done="The conclusion has been removed",
    )


@login_required
@require_http_methods(["GET", "POST"])
def conclusion_settle(request, pk, conclusion_pk):
    meeting = am.meeting_for_user(request.user, pk)
    note, conclusion = am.note_part_for_user(request.user, meeting, Conclusion, conclusion_pk)
    qsg_access.require(am.chairs(request.user, meeting.qsg_id))
    form = SettleForm(posted(request), initial={"decision": conclusion.chair_decision})
    return _form_flow(
        request,
        form,
        save=lambda d: note_services.conclusion_settle(
            actor=request.user, note=note, conclusion=conclusion, decision=d["decision"]
        ),
        done=f"Your decision on {conclusion.provider.name} has been recorded",
        then=reverse("surveillance:note", args=[meeting.pk]) + "#conclusions",
        page=_page(
            meeting,
            f"Settle the disagreement on {conclusion.provider.name}",
            "Record decision",
            intro=f"Conclusion recorded: {conclusion.category.label}. Disagreement: {conclusion.dissent}",
        ),
    )
