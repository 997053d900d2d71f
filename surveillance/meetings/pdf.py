"""The meeting note as a PDF for the chair: what goes in, for which audience, where it is kept.

An agreed (or published) note is printed from the version frozen at agreement, so the PDF is
exactly what was agreed; a draft prints from the live record, marked as a draft. Confidential
material is left out of the "open" audience's PDF by the same `redact()` the pages use.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from qsg import pdf
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import MeetingNote, NoteVersion

TEMPLATE = "surveillance/meetings/pdf/note.jinja"


def note_pdf_document(note: MeetingNote, *, audience: str) -> dict:
    meeting = note.meeting
    document = None
    if note.is_locked:
        version = NoteVersion.objects.filter(note=note, number=note.version).first()
        if version is not None:
            document = dict(version.snapshot)
            document["status"] = note.status
            document["status_label"] = note.get_status_display()
    if document is None:
        document = selectors_meetings.note_document(meeting, note)
    return selectors_meetings.document_dates(
        selectors_meetings.redact(document, confidential=audience == "full")
    )


def render_note_pdf(
    note: MeetingNote, *, audience: str, progress: Callable[[int], None] | None = None
):
    document = note_pdf_document(note, audience=audience)
    return pdf.render_template_pdf(
        TEMPLATE,
        {
            "doc": document,
            "marking": settings.QSG_PROTECTIVE_MARKING,
            "printed_at": timezone.localtime(),
        },
        progress=progress,
    )


def file_name(note: MeetingNote, audience: str) -> str:
    date = timezone.localtime(note.meeting.starts_at).date().isoformat()
    suffix = "" if audience == "full" else "-open"
    return f"meeting-note-{date}-v{note.version}{suffix}.pdf"
