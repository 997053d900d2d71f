"""Helpers of the meeting pages: the create-and-change form flow, the confirm-and-remove page,
the people, organisations and providers a QSG's forms offer. Private to these views."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from qsg import access as qsg_access
from qsg.models import QSG, Organisation, User
from qsg.pages import submit
from surveillance.meetings import access as am
from surveillance.meetings.models import Meeting, MeetingNote


def _member_organisations(qsg: QSG):
    return Organisation.objects.filter(memberships__qsg=qsg, is_active=True).order_by("name")


def _qsg_people(qsg: QSG):
    return (
        User.objects.filter(qsg_roles__qsg=qsg, is_active=True)
        .select_related("organisation")
        .distinct()
        .order_by("last_name", "first_name")
    )


def _member_people(qsg: QSG):
    return (
        User.objects.filter(organisation__memberships__qsg=qsg, is_active=True)
        .select_related("organisation")
        .distinct()
        .order_by("last_name", "first_name")
    )


def _footprint(qsg: QSG):
    """Providers a QSG discusses (`qsg.access.footprint`)."""
    return qsg_access.footprint(qsg)


def _meeting_context(request, meeting: Meeting, **extra) -> dict:
    qsg_id = meeting.qsg_id
    return {
        "meeting": meeting,
        "qsg": meeting.qsg,
        "can_manage": am.manages(request.user, qsg_id),
        "is_chair": am.chairs(request.user, qsg_id),
        **extra,
    }


def _form_page(request, template_context: dict, *, template="surveillance/meetings/form.jinja"):
    return render(request, template, template_context)


def _form_flow(
    request,
    form,
    *,
    save: Callable[[dict], object],
    done: str | Callable[[object], str],
    then: str | Callable[[object], str],
    page: dict,
    scope: str | None = None,
    template: str = "surveillance/meetings/form.jinja",
):
    """A create or change page of the meetings work: `qsg.pages.submit`, then the shared form
    template with `page` (see `_page`) when there is a page to show."""
    return submit(request, form, save, done=done, then=then, scope=scope) or render(
        request, template, {"form": form, **page}
    )


def _page(meeting, title: str, submit: str, back: str | None = None, **extra) -> dict:
    return {
        "title": title,
        "caption": str(meeting) if isinstance(meeting, Meeting) else meeting,
        "back": back or reverse("surveillance:note", args=[meeting.pk]),
        "submit": submit,
        **extra,
    }


def _editable_note(request, pk) -> tuple[Meeting, MeetingNote]:
    meeting = am.meeting_for_user(request.user, pk, manage=True)
    note = am.note_for_user(request.user, meeting)
    return meeting, note


def _confirm_delete(
    request, *, what: str, back: str, action: Callable[[], None], done: str, verb: str = "Remove"
):
    errors: list[str] = []
    if request.method == "POST":
        try:
            action()
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, done)
            return redirect(back)
    return render(
        request,
        "surveillance/meetings/confirm.jinja",
        {"what": what, "back": back, "errors": errors, "verb": verb},
    )
