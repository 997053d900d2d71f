"""The idle expiry rolls without a session write on every request (qsg.middleware.
RollingSessionMiddleware): a request within SESSION_RENEW_SECONDS of the last write does not
write the session; a later one moves its expiry forward; an idle session still ends."""

import datetime as dt
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qsg.middleware import RollingSessionMiddleware, session_renew_seconds

pytestmark = pytest.mark.django_db


def session_writes(client) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("qsg:home"))
    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in ctx.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    return response.status_code, writes


def stored(client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def test_a_request_soon_after_the_last_write_does_not_write_the_session(cast, client_for):
    client = client_for("member_a")
    assert client.session.get(RollingSessionMiddleware.KEY), "the sign-in stamps the renewal"
    _, first = session_writes(client)
    assert first == [], "the sign-in wrote the session: the first request does not again"
    expiry = stored(client).expire_date
    _, second = session_writes(client)
    assert second == [], second
    assert stored(client).expire_date == expiry


def test_activity_after_the_renewal_lag_moves_the_expiry(cast, client_for, settings):
    client = client_for("member_a")
    client.get(reverse("qsg:home"))
    row = stored(client)
    session = client.session
    lag = session_renew_seconds() + 30
    session[RollingSessionMiddleware.KEY] = int(time.time()) - lag
    session.save()  # as if the last write had been that long ago
    Session.objects.filter(pk=row.pk).update(
        expire_date=row.expire_date - dt.timedelta(seconds=lag)
    )
    before = stored(client).expire_date
    _, writes = session_writes(client)
    assert writes, "the expiry had fallen behind by more than the lag: written"
    after = stored(client).expire_date
    assert after - before >= dt.timedelta(seconds=lag - 5)
    assert after <= timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_a_changed_session_is_written_at_once(cast, client_for):
    client = client_for("secretariat_a")
    client.get(reverse("qsg:home"))
    session_writes(client)
    # Logging out changes the session inside the lag: it is ended, not left for the lag.
    assert client.post(reverse("qsg:logout")).status_code == 302
    assert client.get(reverse("qsg:home")).status_code == 302


def test_an_idle_session_still_ends(cast, client_for):
    client = client_for("member_a")
    assert client.get(reverse("qsg:home")).status_code == 200
    Session.objects.filter(pk=stored(client).pk).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("qsg:home"))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_the_lag_is_a_minute_or_a_tenth_of_the_idle_time(settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    settings.SESSION_RENEW_SECONDS = 60
    assert session_renew_seconds() == 60
    settings.SESSION_COOKIE_AGE = 300
    assert session_renew_seconds() == 30
    settings.SESSION_COOKIE_AGE = 2
    assert session_renew_seconds() == 0, "short idle times roll on every request"


def test_an_anonymous_request_creates_no_session(db, client):
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("qsg:login"))
    assert not [q for q in ctx.captured_queries if "django_session" in q["sql"]]
    assert "sessionid" not in client.cookies
