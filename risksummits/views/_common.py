"""Helpers every risk summit page shares: `_open` finds the summit as this person may see it
(404/403 otherwise) and records the view in the summit's access log."""

from __future__ import annotations

from django.utils import timezone

from .. import access, clock, rules
from ..access import SummitAccess
from ..services import access_log

BASE = "risksummits/"


def _open(request, pk, what: str, *, manage: bool = False) -> SummitAccess:
    """The summit as this user may see it (404/403 otherwise), with the view logged."""
    standing = access.summit_for_user(request.user, pk, manage=manage)
    access_log.access_log_record(user=request.user, summit=standing.summit, what=what)
    return standing


def _ctx(standing: SummitAccess, **extra) -> dict:
    return {
        "standing": standing,
        # Its words as this reader may read them (`access.summit_as_read`).
        "summit": access.summit_as_read(standing.user, standing.summit),
        "describe_remaining": clock.describe_remaining,
        "participant_role": lambda p: rules.participant_role(standing.summit, p),
        "today": timezone.localdate(),
        **extra,
    }
