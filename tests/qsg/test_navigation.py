"""The header lists only what a person can use (issue 15, finding 11: a guest saw empty QSGs,
Providers and Dashboard pages), and every entry it lists opens for them."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import resolve, reverse

from qsg import navigation
from risksummits.services.participants import guest_invite
from tests.cast import PEOPLE
from tests.risksummits.factories import trigger
from tests.signin import log_in

pytestmark = pytest.mark.django_db


def _labels(user) -> list[str]:
    request = RequestFactory().get("/")
    request.user = user
    return [i["text"] for i in navigation.primary_items(request)]


def _guest(cast):
    summit = trigger(cast)
    return guest_invite(
        actor=cast.users["secretariat_a"],
        summit=summit,
        organisation_name="Alpha Constabulary",
        first_name="Gail",
        last_name="Guest",
        email="gail.guest@police.example",
    ).user


def test_a_guest_sees_their_summits_and_no_empty_network_pages(cast):
    guest = _guest(cast)
    labels = _labels(guest)
    assert "Risk summits" in labels
    hidden_items = ("QSGs", "Providers", "Dashboard", "Meetings", "Actions", "Intelligence")
    for hidden in (*hidden_items, "Organisations"):
        assert hidden not in labels

    client = Client()
    log_in(client, guest)
    header = client.get("/").content.decode().split("</header>")[0]
    assert ">QSGs<" not in header and ">Dashboard<" not in header
    assert ">Risk summits<" in header


def test_someone_without_a_role_sees_no_network_menus(cast):
    labels = _labels(cast.users["outsider"])
    assert not {"QSGs", "Providers", "Dashboard"} & set(labels)


def test_every_entry_shown_opens_for_everyone_in_the_cast(cast):
    guest = _guest(cast)
    assert {"QSGs", "Providers", "Dashboard"} <= set(_labels(cast.users["secretariat_a"]))
    for key in [*PEOPLE, None]:
        user = guest if key is None else cast.users[key]
        client = Client()
        log_in(client, user)
        request = RequestFactory().get("/")
        request.user = user
        for item in navigation.primary_items(request):
            assert client.get(item["href"]).status_code == 200, (key, item["text"])


def _current(user, path: str) -> list[str]:
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    return [i["text"] for i in navigation.primary_items(request) if i["current"]]


def test_a_groups_coverage_page_is_a_meetings_page_in_the_header(cast):
    """/qsgs/<id>/coverage/ sits under the QSG list's path but belongs to Meetings."""
    user, a = cast.users["secretariat_a"], cast.qsgs["a"].pk
    for name in ("surveillance:coverage", "surveillance:meeting-list", "surveillance:plan-list"):
        assert _current(user, reverse(name, args=[a])) == ["Meetings"], name
    # The group's own page, and the meetings index, stay where their paths put them.
    assert _current(user, cast.qsgs["a"].get_absolute_url()) == ["QSGs"]
    assert _current(user, reverse("surveillance:meeting-index")) == ["Meetings"]
