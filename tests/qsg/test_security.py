"""Security baseline: lockout, CSRF, logout by POST, session lifetime, deploy checks."""

import time

from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from qsg.middleware import AbsoluteSessionExpiryMiddleware, session_renew_seconds
from tests.cast import PASSWORD
from tests.signin import log_in


def _login(client, password):
    return client.post(reverse("qsg:login"), {"username": "member_a", "password": password})


def test_lockout_after_repeated_failures(cast):
    client = Client()
    for _ in range(5):
        response = _login(client, "wrong-password")
    assert response.status_code in (200, 403, 429)
    # Even the right password is refused while locked out.
    locked = _login(Client(), PASSWORD)
    assert locked.status_code in (403, 429)
    assert "locked" in locked.content.decode().lower()


def test_wrong_password_shows_error_and_keeps_username(cast):
    response = _login(Client(), "wrong-password")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a correct username and password" in body
    assert 'value="member_a"' in body


def test_csrf_is_enforced_on_forms(cast):
    client = Client(enforce_csrf_checks=True)
    log_in(client, cast.users["secretariat_a"])
    response = client.post(
        reverse("qsg:qsg-settings", args=[cast.qsgs["a"].pk]), {"footprint": "x"}
    )
    assert response.status_code == 403
    assert "Your form has expired" in response.content.decode()


def test_logout_needs_post(cast, client_for):
    client = client_for("member_a")
    assert client.get(reverse("qsg:logout")).status_code == 405
    assert client.post(reverse("qsg:logout")).status_code == 302
    assert client.get(reverse("qsg:home")).status_code == 302


def test_absolute_session_lifetime(cast, client_for, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 60
    client = client_for("member_a")
    assert client.get(reverse("qsg:home")).status_code == 200
    session = client.session
    session[AbsoluteSessionExpiryMiddleware.KEY] = int(time.time()) - 120
    session.save()
    response = client.get(reverse("qsg:home"))
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]


def test_idle_expiry_is_configured(settings):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    # Rolled by RollingSessionMiddleware, whose response side must run before the session's save.
    middleware = settings.MIDDLEWARE
    session = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert middleware[session + 1] == "qsg.middleware.RollingSessionMiddleware"
    assert 0 < session_renew_seconds() <= 60


def test_deploy_checks_are_clean_under_production_settings(monkeypatch):
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)  # set only for browser tests
    with override_settings(
        DEBUG=False,
        SECRET_KEY="x" * 64 + "-long-and-random-enough-for-the-deploy-check-0123456789",
        SECURE_SSL_REDIRECT=True,
        SECURE_HSTS_SECONDS=31536000,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=True,
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
        ALLOWED_HOSTS=["qsg.example.nhs.uk"],
    ):
        call_command("check", "--deploy", "--fail-level", "WARNING")


def test_request_id_is_echoed(client):
    response = client.get(reverse("qsg:healthz"), HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    generated = client.get(reverse("qsg:healthz"), HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert generated != "<script>" and len(generated) == 32


def test_readyz_reports_each_dependency(client, db):
    response = client.get(reverse("qsg:readyz"))
    checks = response.json()["checks"]
    assert set(checks) == {"database", "cache", "worker"}
    assert checks["database"]["ok"] and checks["cache"]["ok"]


def test_nothing_served_to_a_signed_in_person_is_cached(cast, client_for):
    """Pages, API answers and downloads carry what this person may read: no browser or proxy
    keeps them (a shared computer's disk, a caching proxy)."""
    client = client_for("secretariat_a")
    qsg = cast.qsgs["a"]
    answers = {
        "page": client.get("/"),
        "api": client.get("/api/v1/me/"),
        "calendar file": client.get(f"/qsgs/{qsg.pk}/meetings.ics"),
    }
    for what, response in answers.items():
        assert response.status_code == 200, what
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, (what, response["Cache-Control"])


def test_a_signed_out_page_is_left_to_the_cache_rules(client, db):
    response = client.get(reverse("qsg:healthz"))
    assert "no-store" not in response.get("Cache-Control", "")
