"""The home page reads the person's QSGs once a request, and its query count does not grow with
the number of groups they belong to (each panel used to read the groups, and the dashboard's
signals panel read each group's footprint and signals in turn)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qsg import services
from qsg.models import QSGRole
from tests.dashboard.helpers import seed_cast_data

pytestmark = pytest.mark.django_db

# Session, user and device; the principal; the groups; about fifteen panels (the permissions in
# one query; the two summit panels share one read of the person's summit links); the header: 19
# for a member of one group with dashboard data (26, then 24 with the session written on every
# request and the permissions in two queries; 34 in three groups; at most 22 allowed before the
# summit panels shared their read).
MOST = 19


def home_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("qsg:home"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def signal_rows(body: str) -> list[str]:
    table = body.split('id="dashboard-signals-heading"')[1].split("</table>")[0]
    return [row.split("<span")[0].rsplit(">", 1)[1] for row in table.split('<th scope="row"')[1:]]


def test_home_queries_do_not_grow_with_the_persons_groups(cast, client_for):
    seed_cast_data(cast)
    client = client_for("member_a")
    client.get(reverse("qsg:home"))  # the first request of a session writes more to it
    one_group, body = home_queries(client)
    assert signal_rows(body) == ["Area A QSG"]
    assert one_group <= MOST, one_group

    user = cast.users["member_a"]
    for key in ("b", "c"):
        services.membership_add(actor=None, qsg=cast.qsgs[key], organisation=user.organisation)
        services.role_assign(actor=None, qsg=cast.qsgs[key], user=user, role=QSGRole.Role.MEMBER)
    client = client_for("member_a")
    client.get(reverse("qsg:home"))
    three_groups, body = home_queries(client)
    # Each group's own signals, counted from its own footprint.
    assert signal_rows(body) == ["Area A QSG", "Area B QSG", "Area C QSG"]
    assert three_groups == one_group


def test_signals_panel_counts_each_groups_footprint_only(cast, client_for):
    from dashboard import selectors

    seed_cast_data(cast)
    user = cast.users["secretariat_a"]  # and of the region: oversees Area B too
    services.role_assign(actor=None, qsg=cast.qsgs["r"], user=user, role=QSGRole.Role.SECRETARIAT)
    user = type(user).objects.get(pk=user.pk)
    since = selectors.month_before(selectors.latest_data_month())
    groups = [cast.qsgs["r"], cast.qsgs["a"], cast.qsgs["b"]]
    together = selectors.signals_since_by_qsg(user, groups, since)
    for q in groups:
        alone = selectors.signals_since(user, q, since)
        assert [(s.provider_id, s.indicator_code, s.kind) for s in together[q.pk]] == [
            (s.provider_id, s.indicator_code, s.kind) for s in alone
        ]
    # The panel's counts (no signals made) are the signals' own, kind by kind.
    counts = selectors.signal_counts_by_qsg(user, groups, since)
    for q in groups:
        assert counts[q.pk] == {
            kind: sum(1 for s in together[q.pk] if s.kind == kind)
            for kind in selectors.SIGNAL_KINDS
        }
    assert sum(sum(c.values()) for c in counts.values()) > 0
    # provider_a1's step up, in its own group and the region's, not in Area B's
    a1 = cast.providers["provider_a1"].pk
    assert a1 in {s.provider_id for s in together[cast.qsgs["a"].pk]}
    assert a1 in {s.provider_id for s in together[cast.qsgs["r"].pk]}
    assert a1 not in {s.provider_id for s in together[cast.qsgs["b"].pk]}


def test_the_request_list_of_groups_is_the_persons_own(cast, client_for):
    """One client after another: each home page lists that person's groups only."""
    a, b = client_for("member_a"), client_for("member_b")
    for _ in range(2):
        body_a = a.get(reverse("qsg:home")).content.decode()
        body_b = b.get(reverse("qsg:home")).content.decode()
        assert "Area A QSG" in body_a and "Area B QSG" not in body_a
        assert "Area B QSG" in body_b and "Area A QSG" not in body_b
