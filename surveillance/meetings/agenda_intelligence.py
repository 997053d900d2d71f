"""The seam between meetings and intelligence items: the one place they meet.

`intelligence_for_meeting(user, meeting)` proposes, for the agenda, the intelligence items
marked for discussion at the next meeting of the meeting's QSG that `user` may see. It must
read through the intelligence access functions (`surveillance.intelligence.access.items_for`), never
around them. `intelligence_titles(user, ids)` names linked items for the note, again only
those the reader may see.
"""

from __future__ import annotations

from typing import Any

from surveillance.intelligence import access


def intelligence_for_meeting(user, meeting) -> list[Any]:
    from surveillance.meetings.selectors import Suggestion

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
    if not ids:
        return {}
    return {item.pk: str(item) for item in access.items_for(user).filter(pk__in=list(ids))}
