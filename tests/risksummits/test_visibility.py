"""Who sees a summit: guests see their summit and nothing else; non-participants see nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from risksummits.models import AccessLogEntry, RiskSummit
from risksummits.services.meetings import meeting_book
from risksummits.services.participants import guest_invite
from tests.signin import log_in
from tests.test_permission_matrix import served_url_names

from .factories import CONCERN, trigger, world

pytestmark = pytest.mark.django_db

SKIP = {"qsg:logout", "api:auth-token", "api-schema", "api-docs", "qsg:healthz", "qsg:readyz"}


def _invite(cast, summit, **extra):
    values = {
        "organisation_name": "Alpha Constabulary",
        "first_name": "Gail",
        "last_name": "Guest",
        "email": "gail.guest@police.example",
    }
    values.update(extra)
    rep = guest_invite(actor=cast.users["secretariat_a"], summit=summit, **values)
    return rep.user


def _argless_urls() -> list[str]:
    urls = []
    for name in sorted(served_url_names()):
        if name in SKIP or name.startswith("admin:"):
            continue
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue
    return urls


def test_guest_sees_their_summit_and_nothing_else(
    cast, mailoutbox, django_capture_on_commit_callbacks
):
    w = world(cast)
    other = trigger(
        cast, by="member_b", provider="provider_b1", concern="Other concern about Bravo"
    )
    with django_capture_on_commit_callbacks(execute=True):
        guest = _invite(cast, w.summit)
    assert guest.organisation.type.code == "other"
    assert not guest.has_usable_password()
    invitation = next(m for m in mailoutbox if guest.email in m.to)
    assert "/account/password/reset/" in invitation.body and CONCERN not in invitation.body

    client = Client()
    log_in(client, guest)
    page = client.get(w.summit.get_absolute_url())
    assert page.status_code == 200
    assert CONCERN in page.content.decode()

    never = [
        other.reference,
        "Bravo Royal Infirmary",
        "Charlie University Hospitals",
        "Area B QSG",
        "Area C QSG",
        "Test North regional QSG",
        "Alpha Community Services",
    ]
    summit_pages_may_show = {cast.providers["provider_a1"].name, cast.qsgs["a"].name}
    probed = 0
    for url in _argless_urls():
        response = client.get(
            url, HTTP_ACCEPT="application/json" if url.startswith("/api/") else "text/html"
        )
        assert response.status_code < 500, url
        body = response.content.decode(errors="replace")
        for text in never:
            assert text not in body, f"{url} shows {text!r} to a guest"
        if not url.startswith(("/risk-summits/", "/api/v1/risk-summits/")) and url != "/":
            for text in summit_pages_may_show:
                assert text not in body, f"{url} shows {text!r} to a guest"
        probed += 1
    assert probed >= 10

    a = cast.qsgs["a"]
    for url in [
        reverse("qsg:qsg-detail", args=[a.pk]),
        reverse("qsg:provider-detail", args=[cast.providers["provider_a1"].pk]),
        reverse("qsg:organisation-detail", args=[cast.orgs["icb_a"].pk]),
        other.get_absolute_url(),
        reverse("api:risk-summit-detail", args=[other.pk]),
        reverse("api:provider-detail", args=[cast.providers["provider_a1"].pk]),
        reverse("api:qsg-detail", args=[a.pk]),
    ]:
        assert client.get(url).status_code == 404, url

    listing = client.get(reverse("api:risk-summit-list"), HTTP_ACCEPT="application/json").json()
    assert [r["reference"] for r in listing["results"]] == [w.summit.reference]
    # The guest may not manage the summit.
    assert client.get(reverse("risksummits:meeting-book", args=[w.summit.pk])).status_code == 403


def test_guest_of_one_summit_sees_no_other_summit_of_the_same_qsg(cast):
    first = trigger(cast)
    second = trigger(cast, by="cqc_a", provider="provider_a2", concern="Community nursing gaps")
    guest = _invite(cast, first)
    client = Client()
    log_in(client, guest)
    assert client.get(second.get_absolute_url()).status_code == 404
    body = client.get(reverse("risksummits:list") + "?status=all").content.decode()
    assert first.reference in body and second.reference not in body


def test_a_qsg_member_not_taking_part_sees_nothing_of_it(cast):
    w = world(cast)  # the local authority was removed: observer_a does not take part
    client = Client()
    log_in(client, cast.users["observer_a"])
    assert client.get(w.summit.get_absolute_url()).status_code == 404
    assert client.get(reverse("api:risk-summit-detail", args=[w.summit.pk])).status_code == 404
    for url in [
        reverse("risksummits:list") + "?status=all",
        reverse("api:risk-summit-list"),
        reverse("qsg:provider-detail", args=[cast.providers["provider_a1"].pk]),
        reverse("qsg:home"),
    ]:
        assert w.summit.reference not in client.get(url).content.decode(), url


def test_provider_limited_to_shared_items(cast):
    w = world(cast)
    summit = w.summit
    rep = guest_invite(
        actor=cast.users["secretariat_a"],
        summit=summit,
        organisation_name="Alpha General Hospital NHS Trust",
        first_name="Paula",
        last_name="Provider",
        email="paula@alpha-trust.example",
        is_provider=True,
        shared_items_only=True,
    )
    shared = meeting_book(
        actor=cast.users["secretariat_a"],
        summit=summit,
        starts_at=timezone.now() + dt.timedelta(days=1),
        format="in_person",
        shared_with_provider=True,
    )
    client = Client()
    log_in(client, rep.user)
    page = client.get(summit.get_absolute_url()).content.decode()
    assert CONCERN not in page
    assert "Put extra midwives" not in page  # action not shared
    assert (
        client.get(reverse("risksummits:meeting", args=[summit.pk, w.held.pk])).status_code == 404
    )
    assert (
        client.get(reverse("risksummits:meeting", args=[summit.pk, shared.pk])).status_code == 200
    )
    assert client.get(reverse("risksummits:judgement", args=[summit.pk])).status_code == 404
    api = client.get(reverse("api:risk-summit-detail", args=[summit.pk])).json()
    assert "concern" not in api
    meetings = client.get(reverse("api:risk-summit-meetings", args=[summit.pk])).json()
    assert [m["id"] for m in meetings] == [shared.pk]


def test_every_view_is_in_the_access_log_the_secretariat_reads(cast):
    w = world(cast)
    reader = Client()
    log_in(reader, cast.users["member_a"])
    reader.get(w.summit.get_absolute_url())
    reader.get(reverse("api:risk-summit-detail", args=[w.summit.pk]))
    entries = AccessLogEntry.objects.filter(summit=w.summit, user=cast.users["member_a"])
    assert {e.channel for e in entries} == {"page", "api"}
    secretariat = Client()
    log_in(secretariat, cast.users["secretariat_a"])
    log = secretariat.get(reverse("risksummits:access-log", args=[w.summit.pk]))
    assert log.status_code == 200 and "Member A" in log.content.decode()
    assert reader.get(reverse("risksummits:access-log", args=[w.summit.pk])).status_code == 403
    assert RiskSummit.objects.count() == 1


def test_summits_in_hand_are_the_managed_or_joined_ones_less_shared_only(cast):
    """The home page's alarms read `summits_in_hand_for` (literal ids from one read of the
    person's links) instead of the visible summits narrowed to those they manage or take part
    in, less those where they stand for a participant limited to shared items: the same set
    for every person."""
    from django.db.models import Q

    from risksummits import access
    from risksummits.models import Representative

    w = world(cast)
    other = trigger(cast, by="member_b", provider="provider_b1", concern="Other concern")
    guest = _invite(cast, w.summit)
    provider_rep = guest_invite(
        actor=cast.users["secretariat_a"],
        summit=w.summit,
        organisation_name="Alpha General Hospital NHS Trust",
        first_name="Paula",
        last_name="Provider",
        email="paula@alpha-trust.example",
        is_provider=True,
        shared_items_only=True,
    ).user
    people = [*cast.users.values(), guest, provider_rep]
    assert other.pk
    for user in people:
        links = access.summit_links_for(user)
        old = (
            access.summits_for(user)
            .filter(
                Q(pk__in=access.managed_summits_for(user).values("pk"))
                | Q(pk__in=access.participating_summits_for(user).values("pk"))
            )
            .exclude(
                pk__in=Representative.objects.filter(
                    user_id=user.pk, participant__shared_items_only=True
                ).values("summit_id")
            )
        )
        new = access.summits_in_hand_for(user, links)
        assert set(new.values_list("pk", flat=True)) == set(old.values_list("pk", flat=True))
        assert set(access.participating_summits_for(user, links)) == set(
            access.participating_summits_for(user)
        )
