"""The list's total, counted as the UNION of the visibility arms (qsg.pagination), is exactly the
number of items the list holds: for every person of the cast, over every distribution, released
and untriaged, with moderation on and off, drafts, named organisations, do-not-attribute, items
of another organisation and of the regional QSG; with and without filters and search; and when
the named items are too many to inline.

The count is checked against `items_for(user)` narrowed the same way, and (unfiltered) against
the in-memory rule `can_see`, which test_access.py checks against hand-written expectations.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qsg.models import QSG
from qsg.pagination import union_count
from surveillance.intelligence import access
from surveillance.intelligence import selectors as sel
from surveillance.intelligence import services as si
from tests.cast import EVERYONE

from .factories import Distribution, Item, Status, released, submit

pytestmark = pytest.mark.django_db

URL = "/api/v1/intelligence/"
# Through the API, one reader per arm: the author, a colleague of the submitting organisation
# (also named), the QSG team, another QSG's member (named), the regional QSG, an outsider.
API_READERS = ["member_a", "cqc_a", "secretariat_a", "member_b", "regional_member", "outsider"]


def _corpus(cast) -> list[Item]:
    named = [cast.orgs["icb_b"], cast.orgs["cqc"]]
    items = []
    for distribution in Distribution.values:
        extra = {"named_organisations": named} if distribution == Distribution.NAMED else {}
        items.append(released(cast, distribution=distribution, **extra))
        items.append(submit(cast, distribution=distribution, **extra))
        items.append(released(cast, distribution=distribution, do_not_attribute=True, **extra))
    items.append(released(cast, author="cqc_a", distribution=Distribution.ORGANISATION))
    items.append(released(cast, author="cqc_a", summary="Ambulance handover delays"))
    items.append(
        released(
            cast,
            author="regional_member",
            by="regional_secretariat",
            qsg=cast.qsgs["r"],
            providers=[cast.providers["provider_b1"]],
            distribution=Distribution.REGION,
        )
    )
    items.append(
        si.intelligence_item_save_draft(
            actor=cast.users["member_a"], qsg=cast.qsgs["a"], summary="Half written"
        )
    )
    items.append(
        si.intelligence_item_save_draft(
            actor=cast.users["cqc_a"], qsg=cast.qsgs["a"], summary="Another draft"
        )
    )
    return items


def _filters(cast) -> list[dict]:
    """The list page's filters (`filtered_items`), alone and together, and search."""
    return [
        {},
        {"status": Status.SUBMITTED},
        {"status": Status.TRIAGED, "qsg": cast.qsgs["a"]},
        {"qsg": cast.qsgs["r"]},
        {"provider": cast.providers["provider_a1"]},
        {"organisation": cast.orgs["icb_a"]},
        {"dimension": Item.QualityDimension.SAFETY, "q": "nurses"},
        {"q": "ambulance handover"},
        {"q": "nothing matches this"},
    ]


@pytest.fixture(params=["moderated", "unmoderated"])
def corpus(request, cast):
    items = _corpus(cast)
    if request.param == "unmoderated":
        QSG.objects.filter(pk=cast.qsgs["a"].pk).update(moderation_enabled=False)
    return items


@pytest.fixture(params=["inline", "subquery"])
def named_ids(request, monkeypatch):
    """Items shared by name: as a list of ids, or (above NAMED_INLINE_MAX) as a subquery."""
    if request.param == "subquery":
        monkeypatch.setattr(access, "NAMED_INLINE_MAX", 0)
    return request.param


def test_union_count_is_the_visible_count_for_everyone(cast, corpus, named_ids):
    assert any(i.status == Status.DRAFT for i in corpus)
    subqueries = set()
    for username in sorted(EVERYONE):
        user = cast.users[username]
        access.forget(user)
        scope = access.scope_for(user)
        if scope.named_item_ids is None:
            subqueries.add(username)
        by_rule = sum(access.can_see(scope, item) for item in corpus)
        assert access.items_for(user).count() == by_rule, username
        assert union_count(access.item_arms_for(user)) == by_rule, username
    assert bool(subqueries) == (named_ids == "subquery")


def test_union_count_is_the_filtered_list_count(cast, corpus, named_ids):
    for username in sorted(EVERYONE):
        user = cast.users[username]
        access.forget(user)
        for data in _filters(cast):
            expected = sel.filtered_items(user, data).count()
            assert union_count(sel.filtered_item_parts(user, data)) == expected, (username, data)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?search=nurses",
        "?search=ambulance+handover",
        "?status=submitted",
        "?distribution=named",
        "?qsg={a}&status=triaged",
        "?provider={p}",
        "?observed_after=2000-01-01&search=ward",
    ],
)
def test_api_count_is_the_visible_count(cast, corpus, client_for, query):
    query = query.format(a=cast.qsgs["a"].pk, p=cast.providers["provider_a1"].pk)
    for username in API_READERS:
        response = client_for(username).get(
            URL + query + ("&" if "?" in query else "?") + "page_size=2"
        )
        assert response.status_code == 200, (username, query)
        user = cast.users[username]
        access.forget(user)
        qs = access.items_for(user)
        params = dict(p.split("=", 1) for p in query.lstrip("?").split("&") if p)
        qs = sel.search(qs, params.pop("search", "").replace("+", " "))
        if "provider" in params:
            qs = qs.filter(providers=params.pop("provider"))
        if "observed_after" in params:
            params.pop("observed_after")  # every item of the corpus is observed after 2000
        assert response.json()["count"] == qs.filter(**params).distinct().count(), (
            username,
            query,
        )


@pytest.mark.parametrize("query", [{}, {"q": "nurses"}, {"status": Status.SUBMITTED}])
def test_the_page_shows_the_visible_count(cast, corpus, client_for, query):
    url = reverse("surveillance:intelligence-list")
    for username in ("member_a", "secretariat_a", "regional_member", "member_b"):
        user = cast.users[username]
        access.forget(user)
        response = client_for(username).get(url, query)
        assert response.status_code == 200
        expected = sel.filtered_items(user, query).count()
        assert f'<p class="nhsuk-body">{expected} item' in response.content.decode(), username


@pytest.mark.parametrize("search", ["", "nurses"])
def test_the_list_is_counted_with_one_union_unless_it_searches(cast, corpus, client_for, search):
    for url in (URL, reverse("surveillance:intelligence-list")):
        with CaptureQueriesContext(connection) as queries:
            response = client_for("member_a").get(url, {"search": search, "q": search})
        assert response.status_code == 200
        sql = [q["sql"] for q in queries.captured_queries]
        counts = [s for s in sql if "COUNT(" in s.upper() and "surveillance_intelligenceitem" in s]
        # One count of the list: a UNION of the arms, or (searching) over their OR. The list
        # page's drafts badge is another, plain count.
        of_list = [s for s in counts if "UNION" in s or " OR " in s]
        assert len(of_list) == 1, (url, counts)
        assert ("UNION" in of_list[0]) == (not search), (url, of_list)
