"""Pages of the note's workflow: circulate, comment, agree, open a new version, publish,
read an agreed version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qsg import access as qsg_access
from qsg.pages import posted
from qsg.vocabulary import say
from surveillance.meetings import access as am
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.forms import CirculateForm, CommentForm, ReviseForm
from surveillance.meetings.services import note as note_services
from surveillance.meetings.views._common import _form_flow, _form_page, _meeting_context, _page


def _workflow_page(
    request,
    meeting,
    *,
    form,
    title,
    submit,
    intro,
    step: Callable[[], object],
    done: str,
    allowed: bool,
    blockers: list[dict] | None = None,
):
    qsg_access.require(allowed)
    back = reverse("surveillance:note", args=[meeting.pk])
    if form is None and blockers:
        # What is missing, shown before the chair presses anything; a POST (from a page opened
        # before a gap appeared) gets the same list as an error summary. The service refuses too.
        errors = [{"text": b["text"], "href": "#blockers"} for b in blockers]
        page = _page(
            meeting,
            title,
            submit,
            form=form,
            intro=intro,
            blockers=blockers,
            meeting_pk=meeting.pk,
            page_errors=errors if request.method == "POST" else [],
        )
        return _form_page(request, page)
    if form is None:
        if request.method == "POST":
            try:
                step()
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, done)
            return redirect(back)
        return _form_page(request, _page(meeting, title, submit, form=form, intro=intro))
    return _form_flow(
        request,
        form,
        save=lambda _: step(),
        done=done,
        then=back,
        page=_page(meeting, title, submit, intro=intro),
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_circulate(request, pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    note = am.note_for_user(request.user, meeting)
    form = CirculateForm(
        posted(request), initial={"comments_by": timezone.localdate() + dt.timedelta(days=10)}
    )
    return _workflow_page(
        request,
        meeting,
        form=form,
        title="Circulate the draft note for comment",
        submit="Circulate to members",
        intro="Members of the group will be told by e-mail and can comment until the note is agreed.",
        step=lambda: note_services.meeting_note_circulate(
            actor=request.user, note=note, comments_by=form.cleaned_data.get("comments_by")
        ),
        done="The note has been circulated to members for comment",
        allowed=True,
    )


@login_required
@require_POST
def note_comment(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    note = am.note_for_user(request.user, meeting)
    qsg_access.require(am.can_comment(request.user, note, meeting.qsg_id))
    return _form_flow(
        request,
        CommentForm(request.POST),
        save=lambda d: note_services.meeting_note_comment(
            actor=request.user, note=note, text=d["text"]
        ),
        scope="note-comment",
        done="Your comment has been recorded",
        then=reverse("surveillance:note", args=[meeting.pk]) + "#comments",
        page=_page(
            meeting,
            "Comment on the draft note",
            "Send comment",
            action=reverse("surveillance:note-comment", args=[meeting.pk]),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_agree(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    note = am.note_for_user(request.user, meeting)
    return _workflow_page(
        request,
        meeting,
        form=None,
        title="Agree the note",
        submit="Agree the note",
        intro=say(
            f"Agreeing locks version {note.version} of the note as the group's record. Conclusions "
            "update each provider's surveillance level, and any risk summit required is referred "
            "on. Later changes need a new version."
        ),
        step=lambda: note_services.meeting_note_agree(actor=request.user, note=note),
        done=f"Version {note.version} of the note has been agreed",
        allowed=am.chairs(request.user, meeting.qsg_id),
        blockers=note_services.meeting_note_agreement_gaps(note) if note.pk else None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def note_revise(request, pk):
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    note = am.note_for_user(request.user, meeting)
    form = ReviseForm(posted(request))
    return _workflow_page(
        request,
        meeting,
        form=form,
        title="Open a new version of the agreed note",
        submit="Open a new version",
        intro=f"Version {note.version} stays as it was agreed and readable. The new version is a draft until the chair agrees it.",
        step=lambda: note_services.meeting_note_revise(
            actor=request.user, note=note, reason=form.cleaned_data["reason"]
        ),
        done="A new version of the note has been opened",
        allowed=True,
    )


@login_required
@require_POST
def note_publish(request, pk):
    meeting = am.meeting_for_user(request.user, pk)
    note = am.note_for_user(request.user, meeting)
    qsg_access.require(am.is_team(request.user, meeting.qsg_id))
    try:
        note_services.meeting_note_publish(actor=request.user, note=note)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The agreed note has been published to members")
    return redirect("surveillance:note", meeting.pk)


@login_required
@require_GET
def note_version(request, pk, number):
    meeting = am.meeting_for_user(request.user, pk)
    version = am.version_for_user(request.user, meeting, number)
    document = selectors_meetings.document_dates(
        selectors_meetings.redact_for(request.user, version.snapshot, qsg_id=meeting.qsg_id)
    )
    return render(
        request,
        "surveillance/meetings/note_version.jinja",
        _meeting_context(request, meeting, version=version, doc=document),
    )
