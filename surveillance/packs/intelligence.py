"""The meeting pack's intelligence digest.

`digest(meeting, reader=...)` lists the items shared with the meeting's QSG and marked for its
next meeting, as one audience of the pack may see them, read through the intelligence access
module (`access.items_for`) as that audience's reader:

* the full pack (secretariat and chair): what the secretariat reader sees;
* a member organisation's pack: what a member of that organisation sees.

No reader, no items. "Do not attribute" is honoured in every pack: the submitting organisation
is never printed for such an item (the secretariat reads it on the item's page).
"""

from __future__ import annotations

from typing import Any

from surveillance.intelligence import access

SOURCE_WITHHELD = "Source not attributed"


def digest(meeting, *, reader=None) -> list[dict[str, Any]]:
    """Plain dicts (the pack's content is hashed to decide which audiences share a file)."""
    if reader is None:
        return []
    items = (
        access.items_for(reader)
        .filter(for_next_meeting=True, qsg_id=meeting.qsg_id, merged_into__isnull=True)
        .exclude(status="draft")
    )
    out = []
    rows = items.select_related("submitting_organisation", "theme").prefetch_related("providers")
    for item in rows.order_by("pk"):
        hidden = item.do_not_attribute
        out.append(
            {
                "id": item.pk,
                "reference": item.reference or f"I{item.pk}",
                "title": item.summary or "Untitled",
                "details": item.details,
                "providers": sorted(p.name for p in item.providers.all()),
                "dimension": item.get_quality_dimension_display() if item.quality_dimension else "",
                "theme": item.theme.label if item.theme else "",
                "source_type": item.get_source_type_display() if item.source_type else "",
                "source": SOURCE_WITHHELD if hidden else item.submitting_organisation.name,
                "not_attributed": hidden,
            }
        )
    return out
