"""The meeting note as a PDF for the chair: what goes in, for which audience, where it is kept.

An agreed (or published) note is printed from the version frozen at agreement, so the PDF is
exactly what was agreed; a draft prints from the live record, marked as a draft. Confidential
material is left out of the "open" audience's PDF by the same `redact()` the pages use, and so
are the words of records made from intelligence items the reader may not read (the audience
includes those items: `withheld_for`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from qsg import pdf
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import MeetingNote, NoteVersion

TEMPLATE = "surveillance/meetings/pdf/note.jinja"


def source_document(note: MeetingNote) -> dict:
    """What the PDF prints from: the version frozen at agreement, or the live draft."""
    if note.is_locked:
        version = NoteVersion.objects.filter(note=note, number=note.version).first()
        if version is not None:
            document = dict(version.snapshot)
            document["status"] = note.status
            document["status_label"] = note.get_status_display()
            return document
    return selectors_meetings.note_document(note.meeting, note)


def withheld_for(reader, note: MeetingNote) -> list[int]:
    """The intelligence items named in the note that `reader` may not read: part of the PDF's
    audience, so readers share a file only if they may read the same items."""
    from surveillance.intelligence.access import withheld_ids

    links = selectors_meetings.document_links(source_document(note))
    return sorted(withheld_ids(reader, links))


def note_pdf_document(note: MeetingNote, *, audience: str, withheld=()) -> dict:
    return selectors_meetings.document_dates(
        selectors_meetings.redact(
            source_document(note), confidential=audience == "full", withheld=frozenset(withheld)
        )
    )


def render_note_pdf(
    note: MeetingNote,
    *,
    audience: str,
    withheld=(),
    progress: Callable[[int], None] | None = None,
):
    document = note_pdf_document(note, audience=audience, withheld=withheld)
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
