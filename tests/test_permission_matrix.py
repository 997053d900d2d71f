"""Every URL the project serves, as every member of the cast: outsiders 404, read-only 403.

The URL list comes from the URL configuration itself, so a new endpoint without a rule in
tests/matrix/ fails this suite.
"""

from __future__ import annotations

import importlib
import json
import pkgutil

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import matrix
from tests.cast import EVERYONE
from tests.signin import log_in

RULES: dict[str, list[matrix.Case]] = {}
for module in pkgutil.iter_modules(matrix.__path__):
    if module.name.startswith("rules_"):
        for name, cases in importlib.import_module(f"tests.matrix.{module.name}").RULES.items():
            assert name not in RULES, f"{name} has rules in two modules"
            RULES[name] = cases

# The Django admin guards itself (staff only); test_admin_is_staff_only covers it as a family.
FAMILIES = ("admin:",)


def served_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespaces):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = [*namespaces, pattern.namespace] if pattern.namespace else namespaces
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern):
                name = ":".join([*namespaces, pattern.name or f"<unnamed {pattern.pattern}>"])
                names.add(name)

    walk(get_resolver().url_patterns, [])
    return {n for n in names if not n.startswith(FAMILIES)}


def test_every_url_has_a_rule():
    served = served_url_names()
    missing = sorted(served - set(RULES))
    assert not missing, f"URLs without a rule in tests/matrix/: {missing}"
    stale = sorted(set(RULES) - served)
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def test_every_rule_names_every_cast_member():
    problems = []
    for name, cases in RULES.items():
        if not cases:
            problems.append(f"{name}: no cases")
        for index, case in enumerate(cases):
            problems += [f"{name}[{index}]: {p}" for p in case.check_complete()]
    assert not problems, "\n".join(problems)


def _send(client: Client, case: matrix.Case, url: str, cast):
    data = case.data(cast) if case.data else None
    if case.api:
        headers = {"HTTP_ACCEPT": "application/json"}
        if case.method == "GET":
            return client.get(url + case.query, **headers)
        body = json.dumps(data if data is not None else {})
        return client.generic(case.method, url, body, content_type="application/json", **headers)
    if case.method == "GET":
        return client.get(url + case.query)
    if case.method == "POST":
        return client.post(url, data or {})
    raise AssertionError(f"unsupported page method {case.method}")


def _isolated(fn):
    """Run one request in a transaction that is rolled back, so cases don't disturb each other."""
    with transaction.atomic():
        response = fn()
        transaction.set_rollback(True)
    return response


CASES = [(name, index) for name, cases in sorted(RULES.items()) for index in range(len(cases))]


@pytest.mark.parametrize(("name", "index"), CASES, ids=[f"{n}[{i}]" for n, i in CASES])
def test_matrix(name, index, cast):
    case = RULES[name][index]
    url = reverse(name, kwargs=case.kwargs(cast) or None)
    secret = case.secret(cast) if case.secret else None
    failures = []

    anonymous = _isolated(lambda: _send(Client(), case, url, cast))
    if anonymous.status_code not in case.anonymous_status:
        failures.append(
            f"anonymous: got {anonymous.status_code}, expected {sorted(case.anonymous_status)}"
        )
    if secret and not case.public and secret in anonymous.content.decode(errors="replace"):
        failures.append("anonymous: response contains the secret")

    order = sorted(EVERYONE, key=lambda u: (u in case.ok, u))
    for username in order:
        client = Client()
        log_in(client, cast.users[username])
        response = _isolated(lambda client=client: _send(client, case, url, cast))
        body = response.content.decode(errors="replace")
        status = response.status_code
        if status >= 500:
            failures.append(f"{username}: server error {status}")
        elif username in case.hidden:
            if status != 404:
                failures.append(f"{username}: got {status}, expected 404")
            if secret and secret in body:
                failures.append(f"{username}: 404 response contains the secret")
        elif username in case.forbidden:
            if status != 403:
                failures.append(f"{username}: got {status}, expected 403")
            if secret and secret in body and case.method != "GET":
                failures.append(f"{username}: 403 response contains the secret")
        elif username in case.ok or case.public:
            if status not in case.ok_status:
                failures.append(
                    f"{username}: got {status}, expected {sorted(case.ok_status)}: {body[:300]}"
                )
            if username in case.absent and secret and secret in body:
                failures.append(f"{username}: response contains what they must not see")
        if case.extra_check:
            case.extra_check(cast, username, response)
    assert not failures, f"{case.method} {url} ({case.label or name}):\n" + "\n".join(failures)


@pytest.mark.django_db
def test_admin_is_staff_only(cast):
    client = Client()
    log_in(client, cast.users["secretariat_a"])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    staff = get_user_model().objects.create_superuser(
        "root", "root@example.nhs.uk", "root-password-1234"
    )
    log_in(client, staff)
    assert client.get(reverse("admin:index")).status_code == 200
