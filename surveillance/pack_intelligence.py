"""The seam between meeting packs and intelligence items: the pack's intelligence digest.

`digest(meeting, *, organisation=None, reader=None)` lists the items shared with the meeting's
QSG and marked for its next meeting, as one audience of the pack may see them:

* the full pack (secretariat and chair): what the secretariat `reader` sees;
* a member organisation's pack: exactly what that organisation may see, through the
  intelligence access module (`items_for_organisation(organisation, qsg)` where it exists,
  otherwise `items_for(reader)` for a member of that organisation).

"Do not attribute" is honoured in every pack: the submitting organisation is never printed for
such an item (the secretariat reads it on the item's page). Reads go through the intelligence
access module, never around it; while that module is not on this branch the digest is empty.
"""

from __future__ import annotations

from typing import Any

SOURCE_WITHHELD = "Source not attributed"


def _intelligence_access():
    try:
        from . import access  # the intelligence work's access module
    except ImportError:
        return None
    return access if hasattr(access, "items_for") else None


def available() -> bool:
    return _intelligence_access() is not None


def _items(access, meeting, *, organisation, reader):
    if organisation is not None and hasattr(access, "items_for_organisation"):
        items = access.items_for_organisation(organisation, meeting.qsg)
    elif reader is not None:
        items = access.items_for(reader)
    else:
        return None
    return items.filter(
        for_next_meeting=True, qsg_id=meeting.qsg_id, merged_into__isnull=True
    ).exclude(status="draft")


def digest(meeting, *, organisation=None, reader=None) -> list[dict[str, Any]]:
    """Plain dicts (the pack's content is hashed to decide which audiences share a file)."""
    access = _intelligence_access()
    if access is None:
        return []
    items = _items(access, meeting, organisation=organisation, reader=reader)
    if items is None:
        return []
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
