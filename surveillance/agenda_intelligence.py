"""The seam between meetings and intelligence items: the one place they meet.

`intelligence_for_meeting(user, meeting)` proposes, for the agenda, the intelligence items
marked for discussion at the next meeting of the meeting's QSG that `user` may see. It must
read through the intelligence access functions (`surveillance.access.items_for`), never
around them. `intelligence_titles(user, ids)` names linked items for the note, again only
those the reader may see.

While the intelligence models are not on this branch both answer with nothing.
"""

from __future__ import annotations

from typing import Any


def _intelligence_access():
    try:
        from . import access  # the intelligence work's access module
    except ImportError:
        return None
    return access if hasattr(access, "items_for") else None


def intelligence_for_meeting(user, meeting) -> list[Any]:
    access = _intelligence_access()
    if access is None:
        return []
    from .selectors_meetings import Suggestion

    items = (
        access.items_for(user)
        .filter(for_next_meeting=True, qsg_id=meeting.qsg_id)
        .prefetch_related("providers")
        .order_by("pk")
    )
    return [
        Suggestion(
            source="intelligence",
            key=f"item-{item.pk}",
            title=f"Intelligence: {item}",
            kind="intelligence",
            reason="Marked for discussion at the next meeting",
            provider_ids=[p.pk for p in item.providers.all()],
            intelligence_item_ids=[item.pk],
            duration=10,
        )
        for item in items
    ]


def intelligence_titles(user, ids) -> dict[int, str]:
    access = _intelligence_access()
    if access is None or not ids:
        return {}
    return {item.pk: str(item) for item in access.items_for(user).filter(pk__in=list(ids))}
