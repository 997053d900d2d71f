"""Attendance as the secretariat records it (issue 15, finding 6): everyone expected in one
submit, times inside the meeting, and one quorum rule in which observers never count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qsg.models import OrganisationType
from surveillance.meetings import selectors as selectors_meetings
from surveillance.meetings.models import Attendance
from surveillance.meetings.rules import Present, Requirement, quorum_check
from surveillance.meetings.services import attendance as attendance_services

from .factories import ONE, TEN, attend, meeting

t = dt.time


# Quorum: observers never count ------------------------------------------------------------------


def test_an_observer_meets_no_requirement_in_the_rule():
    cqc = Requirement(label="The CQC", type_ids=frozenset({5}))
    watcher = Present(
        key="u1", name="Watcher", roles=frozenset({"observer"}), organisation_type_id=5
    )
    assert not quorum_check([cqc], [watcher]).quorate
    member = Present(key="u2", name="Member", roles=frozenset({"member"}), organisation_type_id=5)
    assert quorum_check([cqc], [watcher, member]).results[0].by == ["Member"]


def test_an_observer_from_a_required_organisation_type_does_not_make_the_meeting_quorate(cast):
    m = meeting(cast)
    la = OrganisationType.objects.get(code="local-authority")
    attendance_services.quorum_requirement_add(
        actor=cast.users["secretariat_a"],
        qsg=cast.qsgs["a"],
        label="A council",
        organisation_types=[la],
    )
    attend(cast, m, "observer_a")  # an observer of QSG A, from the council
    quorum = selectors_meetings.meeting_quorum(m)
    assert not quorum.quorate
    assert quorum.missing == ["A council"]


def test_someone_recorded_in_the_capacity_of_observer_does_not_count(cast):
    m = meeting(cast)
    user = cast.users["cqc_a"]  # a member of QSG A, sitting in as an observer this time
    attendance_services.attendance_add(
        actor=cast.users["secretariat_a"],
        meeting=m,
        user=user,
        organisation=user.organisation,
        capacity=Attendance.Capacity.OBSERVER,
        present_from=TEN,
        present_to=ONE,
    )
    quorum = selectors_meetings.meeting_quorum(m)
    assert "The Care Quality Commission" in quorum.missing


# Times inside the meeting -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arrived", "left", "field", "message"),
    [
        (t(9, 30), t(12), "present_from", "They cannot arrive before the meeting starts at 10:00"),
        (t(10, 30), t(13, 30), "present_to", "They cannot leave after the meeting ends at 13:00"),
    ],
)
def test_times_outside_the_meeting_are_refused(cast, arrived, left, field, message):
    m = meeting(cast)  # 10:00 to 13:00
    with pytest.raises(ValidationError) as caught:
        attend(cast, m, "member_a", start=arrived, end=left)
    assert caught.value.message_dict[field] == [message]
    assert not Attendance.objects.filter(meeting=m).exists()


def test_the_page_says_why_a_time_outside_the_meeting_is_refused(cast, client_for):
    m = meeting(cast)
    client = client_for("secretariat_a")
    url = reverse("surveillance:attendance", args=[m.pk])
    data = {
        "person": cast.users["member_a"].pk,
        "capacity": "member",
        "status": "present",
        "present_from": "09:00",
        "present_to": "11:00",
        "form_token": "early",
    }
    body = client.post(url, data).content.decode()
    assert "<title>Error: " in body
    assert "They cannot arrive before the meeting starts at 10:00" in body
    data.update(present_from="10:00", present_to="11:00", form_token="on-time")
    assert client.post(url, data).status_code == 302
    row = Attendance.objects.get(meeting=m)
    assert (row.present_from, row.present_to) == (t(10), t(11))


def test_changing_a_row_to_a_time_outside_the_meeting_is_refused(cast):
    m = meeting(cast)
    row = attend(cast, m, "member_a")
    with pytest.raises(ValidationError, match="after the meeting ends at 13:00"):
        attendance_services.attendance_update(
            actor=cast.users["secretariat_a"], row=row, present_to=t(14)
        )
    row.refresh_from_db()
    assert row.present_to == ONE


# Everyone expected, in one submit ---------------------------------------------------------------


def _expected_url(m):
    return reverse("surveillance:attendance-expected", args=[m.pk])


def test_everyone_expected_is_listed_from_the_membership(cast, client_for):
    m = meeting(cast)
    body = client_for("secretariat_a").get(_expected_url(m)).content.decode()
    for key in ("secretariat_a", "chair_a", "member_a", "cqc_a", "observer_a"):
        assert cast.users[key].display_name in body, key
    for key in ("member_b", "reviewer", "outsider"):
        assert cast.users[key].display_name not in body, key


def test_everyone_expected_is_recorded_in_one_submit_and_read_back(cast, client_for):
    m = meeting(cast)
    u = cast.users
    client = client_for("secretariat_a")
    data = {
        "form_token": "everyone",
        f"status_{u['secretariat_a'].pk}": "present",
        f"from_{u['secretariat_a'].pk}": "10:00",
        f"to_{u['secretariat_a'].pk}": "13:00",
        f"status_{u['chair_a'].pk}": "present",
        f"from_{u['chair_a'].pk}": "10:00",
        f"to_{u['chair_a'].pk}": "12:15",
        f"status_{u['member_a'].pk}": "apologies",
        f"status_{u['cqc_a'].pk}": "deputy",
        f"deputy_{u['cqc_a'].pk}": "Dr Dee Puty",
        f"from_{u['cqc_a'].pk}": "10:30",
        f"to_{u['cqc_a'].pk}": "13:00",
        f"status_{u['observer_a'].pk}": "present",
        f"from_{u['observer_a'].pk}": "10:00",
        f"to_{u['observer_a'].pk}": "13:00",
    }
    response = client.post(_expected_url(m), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert client.post(_expected_url(m), data).status_code == 302  # a double submit: one record

    rows = {
        (
            r.name,
            r.organisation_id,
            r.capacity,
            r.status,
            r.present_from,
            r.present_to,
            r.deputy_for,
        )
        for r in Attendance.objects.filter(meeting=m)
    }
    assert rows == {
        (
            u["secretariat_a"].display_name,
            cast.orgs["nhse_a"].pk,
            "secretariat",
            "present",
            t(10),
            t(13),
            "",
        ),
        (
            u["chair_a"].display_name,
            cast.orgs["nhse_a"].pk,
            "chair",
            "present",
            t(10),
            t(12, 15),
            "",
        ),
        (u["member_a"].display_name, cast.orgs["icb_a"].pk, "member", "apologies", None, None, ""),
        (
            "Dr Dee Puty",
            cast.orgs["cqc"].pk,
            "member",
            "present",
            t(10, 30),
            t(13),
            u["cqc_a"].display_name,
        ),
        (
            u["observer_a"].display_name,
            cast.orgs["la_a"].pk,
            "observer",
            "present",
            t(10),
            t(13),
            "",
        ),
    }
    # The deputy is not the member: only the member's own row carries their account.
    assert not Attendance.objects.filter(meeting=m, user=u["cqc_a"]).exists()
    quorum = selectors_meetings.meeting_quorum(m)
    # The chair, and the CQC by its deputy; the ICB sent apologies; the observer does not count.
    assert quorum.missing == ["A commissioner"]
    assert quorum.results[2].by == ["Dr Dee Puty"]
    page = client.get(reverse("surveillance:attendance", args=[m.pk])).content.decode()
    assert "Dr Dee Puty" in page and "Deputy for " + u["cqc_a"].display_name in page


def test_the_list_leaves_out_who_is_already_recorded_and_not_attending_is_not_recorded(
    cast, client_for
):
    m = meeting(cast)
    attend(cast, m, "chair_a")
    u = cast.users
    client = client_for("secretariat_a")
    body = client.get(_expected_url(m)).content.decode()
    assert f"status_{u['chair_a'].pk}" not in body
    assert "already recorded" in body
    data = {"form_token": "rest", f"status_{u['member_a'].pk}": "present"}
    for key in ("secretariat_a", "cqc_a", "observer_a"):
        data[f"status_{u[key].pk}"] = "absent"
    data[f"from_{u['member_a'].pk}"] = "10:00"
    data[f"to_{u['member_a'].pk}"] = "13:00"
    assert client.post(_expected_url(m), data).status_code == 302
    assert sorted(Attendance.objects.filter(meeting=m).values_list("name", flat=True)) == sorted(
        [u["chair_a"].display_name, u["member_a"].display_name]
    )


def test_one_bad_row_records_nobody_and_names_the_person(cast, client_for):
    m = meeting(cast)
    u = cast.users
    client = client_for("secretariat_a")
    data = {
        "form_token": "bad",
        f"status_{u['chair_a'].pk}": "present",
        f"from_{u['chair_a'].pk}": "10:00",
        f"to_{u['chair_a'].pk}": "13:00",
        f"status_{u['cqc_a'].pk}": "deputy",
        f"deputy_{u['cqc_a'].pk}": "",
        f"status_{u['member_a'].pk}": "present",
        f"from_{u['member_a'].pk}": "09:15",
        f"to_{u['member_a'].pk}": "13:00",
        f"status_{u['secretariat_a'].pk}": "absent",
    }  # no answer for the observer
    response = client.post(_expected_url(m), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert f"Choose whether {u['observer_a'].display_name} attended" in body
    data[f"status_{u['observer_a'].pk}"] = "absent"
    response = client.post(_expected_url(m), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in body
    assert f"Enter the name of the deputy for {u['cqc_a'].display_name}" in body
    assert f"{u['member_a'].display_name} cannot arrive before the meeting starts at 10:00" in body
    assert not Attendance.objects.filter(meeting=m).exists()


def test_only_the_secretariat_records_everyone(cast, client_for):
    m = meeting(cast)
    assert client_for("member_a").post(_expected_url(m), {}).status_code == 403
    assert client_for("member_b").get(_expected_url(m)).status_code == 404
