"""The meeting pack as a PDF: one audience's document in, WeasyPrint bytes out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from qsg import pdf
from surveillance.packs import selectors as selectors_packs

TEMPLATE = "surveillance/packs/pdf/pack.jinja"


def audience_label(doc: dict, organisations: list[str]) -> str:
    if doc["full"] and not organisations:
        return "The secretariat and chair (full pack)"
    names = ", ".join(organisations)
    if doc["full"]:
        return f"The secretariat and chair (full pack); {names}"
    return names or "Members"


def render_pack_pdf(
    doc: dict,
    dashboard: dict,
    *,
    label: str,
    progress: Callable[[int], None] | None = None,
) -> pdf.RenderedPDF:
    for action in doc["actions"]:
        action["due_date"] = dt.date.fromisoformat(action["due"])
    return pdf.render_template_pdf(
        TEMPLATE,
        {
            "doc": doc,
            "date": dt.date.fromisoformat(doc["meeting"]["date"]),
            "dashboard": dashboard,
            "sections": selectors_packs.SECTIONS,
            "audience_label": label,
            "printed_at": timezone.localtime(),
        },
        progress=progress,
    )


def contents_pages(
    anchors: dict[str, int] | None, intelligence: dict[str, list[int]] | None = None
) -> list[dict]:
    """The page each section starts on, as laid out, and the intelligence items whose words it
    carries (kept with the version; the access log reads them at each download)."""
    anchors = anchors or {}
    intelligence = intelligence or {}
    return [
        {
            "key": key,
            "title": title,
            "page": anchors.get(key),
            "intelligence_item_ids": intelligence.get(key, []),
        }
        for key, title in selectors_packs.SECTIONS
    ]


def file_name(meeting_date: dt.date, number: int, version_pk: int, full: bool) -> str:
    suffix = "full" if full else f"members-{version_pk}"
    return f"meeting-pack-{meeting_date.isoformat()}-v{number}-{suffix}.pdf"
