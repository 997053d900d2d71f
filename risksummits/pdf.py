"""Summit PDFs: the record of a summit meeting and the closure report.

Printed from the document frozen when the version was asked for (`SummitDocument.snapshot`), so
a PDF is exactly that version. Rendering goes through `qsg.pdf` (WeasyPrint, A4, tagged
PDF/UA-1) in a Celery task, never in a request.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from qsg import pdf

from .models import SummitDocument

TEMPLATES = {
    SummitDocument.Kind.MEETING: "risksummits/pdf/meeting.jinja",
    SummitDocument.Kind.CLOSURE: "risksummits/pdf/closure.jinja",
}


def render_document(document: SummitDocument, *, progress: Callable[[int], None] | None = None):
    return pdf.render_template_pdf(
        TEMPLATES[document.kind],
        {
            "doc": document.snapshot,
            "version": document.version,
            "marking": settings.QSG_PROTECTIVE_MARKING,
            "printed_at": timezone.localtime(),
        },
        progress=progress,
    )


def file_name(document: SummitDocument) -> str:
    reference = document.snapshot.get("summit", {}).get("reference", f"summit-{document.summit_id}")
    if document.kind == SummitDocument.Kind.MEETING:
        number = document.snapshot.get("meeting", {}).get("number", 0)
        return f"{reference}-meeting-{number}-v{document.version}.pdf"
    return f"{reference}-closure-report-v{document.version}.pdf"
