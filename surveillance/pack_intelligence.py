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


def _first(item, *names: str, default: Any = "") -> Any:
    for name in names:
        value = getattr(item, name, None)
        if value not in (None, ""):
            return value
    return default


def _label(item, name: str) -> str:
    display = getattr(item, f"get_{name}_display", None)
    if callable(display):
        return str(display())
    value = getattr(item, name, "")
    return str(value or "")


def _items(access, meeting, *, organisation, reader):
    if organisation is not None and hasattr(access, "items_for_organisation"):
        items = access.items_for_organisation(organisation, meeting.qsg)
    elif reader is not None:
        items = access.items_for(reader)
    else:
        return None
    return items.filter(for_next_meeting=True, qsg_id=meeting.qsg_id)


def digest(meeting, *, organisation=None, reader=None) -> list[dict[str, Any]]:
    """Plain dicts (the pack's content is hashed to decide which audiences share a file)."""
    access = _intelligence_access()
    if access is None:
        return []
    items = _items(access, meeting, organisation=organisation, reader=reader)
    if items is None:
        return []
    out = []
    for item in items.prefetch_related("providers").order_by("pk"):
        hidden = bool(getattr(item, "do_not_attribute", False))
        source_org = _first(item, "submitting_organisation", "organisation", default=None)
        theme = _first(item, "theme", default="")
        out.append(
            {
                "id": item.pk,
                "reference": str(_first(item, "reference", default=f"I{item.pk}")),
                "title": str(_first(item, "title", "summary", default=str(item)))[:300],
                "summary": str(_first(item, "summary", default="")),
                "details": str(_first(item, "details", default="")),
                "providers": sorted(p.name for p in item.providers.all()),
                "dimension": _label(item, "dimension") or _label(item, "quality_dimension"),
                "theme": str(theme) if theme else "",
                "source_type": _label(item, "source_type"),
                "source": SOURCE_WITHHELD if hidden or source_org is None else str(source_org),
                "not_attributed": hidden,
            }
        )
    return out
