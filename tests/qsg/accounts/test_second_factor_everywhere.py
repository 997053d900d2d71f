"""A session that owes its second factor reaches no page and no API: every URL pattern of the
project (admin included), generated from the URL configuration, as GET and as POST."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.exceptions import NoReverseMatch

from qsg.accounts.middleware import OPEN_URL_NAMES
from tests.signin import log_in

pytestmark = pytest.mark.django_db

REGEX_CANDIDATES = ["1", "qsg", "json", "x"]


def _sample(converter) -> str:
    if isinstance(converter, IntConverter):
        return "1"
    if isinstance(converter, UUIDConverter):
        return str(uuid.UUID(int=1))
    return "x"


def every_url() -> list[tuple[str, str]]:
    """(name, url) for every named pattern, with sample values for its arguments."""
    found: list[tuple[str, str]] = []

    def walk(patterns, namespaces, converters, groups):
        for p in patterns:
            conv = {**converters, **getattr(p.pattern, "converters", {})}
            grp = groups | set(p.pattern.regex.groupindex)
            if isinstance(p, URLResolver):
                ns = [*namespaces, p.namespace] if p.namespace else namespaces
                walk(p.url_patterns, ns, conv, grp)
            elif isinstance(p, URLPattern) and p.name:
                name = ":".join([*namespaces, p.name])
                kwargs = {k: _sample(c) for k, c in conv.items()}
                regex_only = sorted((grp | set(p.pattern.regex.groupindex)) - set(kwargs))
                url = _reverse(name, kwargs, regex_only)
                if url is not None:
                    found.append((name, url))

    walk(get_resolver().url_patterns, [], {}, set())
    return sorted(set(found))


def _reverse(name, kwargs, regex_only):
    if not regex_only:
        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            return None
    for value in REGEX_CANDIDATES:
        try:
            return reverse(name, kwargs={**kwargs, **dict.fromkeys(regex_only, value)})
        except NoReverseMatch:
            continue
    return None


URLS = every_url()


def test_the_walk_finds_every_part_of_the_service():
    names = {n for n, _ in URLS}
    for expected in [
        "qsg:home",
        "qsg:profile",
        "api:me",
        "api:auth-token",
        "api-schema",
        "admin:index",
        "qsg:token-create",
    ]:
        assert expected in names
    assert len(URLS) > 150
    # Every app's pages are there too.
    assert any(n.startswith("api:") and "intelligence" in n for n in names)
    assert any(u.startswith("/dashboard/") for _, u in URLS)
    assert any(u.startswith("/risk-summits/") for _, u in URLS)


@pytest.fixture
def half_signed_in(cast):
    """secretariat_a after the password only, with an authenticator app set up."""
    from tests.signin import authenticator_for

    authenticator_for(cast.users["secretariat_a"])
    return log_in(Client(), cast.users["secretariat_a"], second_factor=False)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unverified_secretariat_reaches_nothing(half_signed_in, method):
    leaks = []
    for name, url in URLS:
        if name in OPEN_URL_NAMES:
            continue
        response = half_signed_in.get(url) if method == "GET" else half_signed_in.post(url, {})
        if url.startswith("/api/"):
            ok = (
                response.status_code == 403
                and response.json().get("code") == "second_factor_required"
            )
        else:
            ok = response.status_code == 302 and response["Location"].startswith(
                reverse("qsg:two-factor-verify")
            )
        if not ok:
            leaks.append(f"{method} {url} ({name}): {response.status_code}")
    assert not leaks, "reached without a second factor:\n" + "\n".join(leaks)


def test_the_open_pages_are_only_the_sign_in_pages():
    assert {n.split(":")[1] for n in OPEN_URL_NAMES} <= {
        "login",
        "logout",
        "two-factor-verify",
        "two-factor-setup",
        "oidc-login",
        "oidc-callback",
        "oidc-logged-out",
        "healthz",
        "readyz",
    }


def test_the_same_session_gets_in_once_verified(cast):
    client = log_in(Client(), cast.users["secretariat_a"])
    assert client.get(reverse("qsg:home")).status_code == 200
    assert client.get(reverse("api:me")).status_code == 200


def test_a_member_needs_no_second_factor(cast):
    client = log_in(Client(), cast.users["member_a"], second_factor=False)
    assert client.get(reverse("qsg:home")).status_code == 200


@pytest.mark.parametrize("username", ["chair_a", "reviewer", "regional_secretariat"])
def test_the_other_roles_that_read_restricted_intelligence_need_it_too(cast, username):
    client = log_in(Client(), cast.users[username], second_factor=False)
    response = client.get(reverse("qsg:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("qsg:two-factor-verify"))


def test_the_required_roles_are_a_setting(cast, settings):
    settings.QSG_TWO_FACTOR_REQUIRED_ROLES = ["member"]
    member = log_in(Client(), cast.users["member_a"], second_factor=False)
    assert member.get(reverse("qsg:home")).status_code == 302
    chair = log_in(Client(), cast.users["chair_a"], second_factor=False)
    assert chair.get(reverse("qsg:home")).status_code == 200
