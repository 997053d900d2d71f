"""A provider in two groups' footprints (issue 16, build 2): led by QSG A and sitting in QSG B's
footprint too, it is under review in B as well (B's agenda, the regional view), and the region
may send B a recommendation about it. A level concluded in confidence by A stays A's."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qsg import services as qsg_services
from surveillance.meetings import selectors as selectors_meetings
from surveillance.regional import services as sv
from surveillance.regional.models import RegionalRecommendation
from tests.surveillance.meetings.factories import meeting

from .factories import agreed_note

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(cast):
    """Alpha General Hospital: led by QSG A, in QSG B's footprint too."""
    provider = cast.providers["provider_a1"]
    qsg_services.provider_update(actor=None, provider=provider, other_qsgs=[cast.qsgs["b"]])
    return provider


def test_a_provider_led_elsewhere_is_under_review_in_this_footprint(cast, client_for, shared):
    agreed_note(cast, "a", "provider_a1", key_issues="Staffing on the acute medical unit")
    under_b = [p for p, _ in selectors_meetings.providers_under_review(cast.qsgs["b"])]
    assert under_b == [shared]
    b_meeting = meeting(cast, qsg="b", days=14, title="Area B meeting")
    suggested = selectors_meetings.source_regular_review(cast.users["secretariat_b"], b_meeting)
    assert [s.provider_ids for s in suggested] == [[shared.pk]]
    url = reverse("surveillance:regional-view", args=[cast.qsgs["r"].pk])
    body = client_for("reviewer").get(url).content.decode()
    review = body.split('id="review"')[1].split('id="themes"')[0]
    # Under review in A and B: one row naming both groups.
    assert review.count(shared.name) == 1
    assert "Area A QSG, Area B QSG" in review


def test_a_level_concluded_in_confidence_by_the_lead_group_stays_its_own(cast, shared):
    agreed_note(cast, "a", "provider_a1", key_issues="Ward closures", confidential=True)
    b_meeting = meeting(cast, qsg="b", days=14, title="Area B meeting")
    assert selectors_meetings.source_regular_review(cast.users["secretariat_b"], b_meeting) == []
    a_meeting = meeting(cast, qsg="a", days=14, title="Area A meeting")
    assert selectors_meetings.source_regular_review(cast.users["secretariat_a"], a_meeting)


def test_the_region_recommends_to_a_group_about_a_provider_in_its_footprint(
    cast, client_for, shared
):
    client = client_for("regional_secretariat")
    create = reverse("surveillance:recommendation-create", args=[cast.qsgs["r"].pk])
    b = cast.qsgs["b"]
    page = client.get(f"{create}?local_qsg={b.pk}").content.decode()
    assert shared.name in page and cast.providers["provider_b1"].name in page
    assert cast.providers["provider_a2"].name not in page  # A's only
    data = {
        "local_qsg": b.pk,
        "provider": shared.pk,
        "title": "Ambulance handovers",
        "text": "Look at handover delays with the lead group",
        "form_token": "s1",
    }
    assert client.post(f"{create}?local_qsg={b.pk}", data).status_code == 302
    sent = RegionalRecommendation.objects.get(title="Ambulance handovers")
    assert sent.local_qsg == b and sent.provider == shared
    with pytest.raises(ValidationError) as error:
        sv.recommendation_send(
            actor=cast.users["regional_secretariat"],
            region=cast.qsgs["r"],
            local_qsg=b,
            provider=cast.providers["provider_a2"],
            title="Wrong footprint",
            text="Not B's",
        )
    assert "provider" in error.value.message_dict
