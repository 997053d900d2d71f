"""An agreed "risk summit required" conclusion opens one summit, even when the note is
re-agreed as a new version."""

from __future__ import annotations

import pytest

from risksummits.models import RiskSummit
from risksummits.services.trigger import referrals_pick_up
from surveillance.meetings.services import note as note_services
from tests.surveillance.meetings import factories as meetings

pytestmark = pytest.mark.django_db


def test_a_conclusion_in_an_agreed_note_opens_exactly_one_summit(cast):
    meeting, note, _conclusion = meetings.agreed_meeting(cast, conclusion="risk-summit")
    assert referrals_pick_up() == 1
    summit = RiskSummit.objects.get()
    assert summit.origin == RiskSummit.Origin.MEETING
    assert summit.origin_meeting_id == meeting.pk
    assert list(summit.providers.all()) == [cast.providers["provider_a1"]]

    note = note_services.meeting_note_revise(
        actor=cast.users["secretariat_a"], note=note, reason="Wording"
    )
    meetings.agree(cast, note)
    referrals_pick_up()
    referrals_pick_up()
    assert RiskSummit.objects.count() == 1
    assert list(note_services.risk_summit_referrals_pending()) == []
