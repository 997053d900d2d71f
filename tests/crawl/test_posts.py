"""Writes crawled too (issue 14, build 7): what a POST answers reveals nothing a GET hides.

Every pattern of the URL configuration that takes a write (found by asking: a method it does not
allow answers 405 with the methods it does) is sent, as every person of the cast, with every
value of the seed for its parameters: pages a POST with an empty form (so a form comes back
with its errors, or a confirmation re-renders), API lists an empty JSON create, API details an
empty PATCH and a DELETE. Each write runs in a savepoint rolled back at once, so the seed is the
same for every request. Two rules:
* no answer carries the marker of a kind the person may not read (a re-rendered form, an
  error, a message stored for the next page, a header);
* where the object's own page answers the person's GET with 404, the write answers 404 as well
  (the same as for an id that does not exist): a 403, a 400 with field errors or a re-rendered
  form would tell them the object exists.
Hidden ids named in a body (another QSG's meeting in a create) are `tests/hostile/test_hidden_ids.py`.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from tests.signin import log_in

from . import urls as crawl_urls
from .expectations import CRAWLERS, READERS
from .test_crawl import markers_in, readable_text

pytestmark = pytest.mark.django_db

WRITES = ("POST", "PATCH", "DELETE")
# Writes not sent, and why (patterns not crawled at all are `urls.EXEMPT`).
EXEMPT_WRITES = {
    "qsg:login": "signing in as someone else is the sign-in tests' (tests/qsg/accounts/)",
    "qsg:password-reset": "mails a reset link to an address typed in; names no object",
}
_LAST_ID = re.compile(r"^(.*?/\d+/)[^\d]*$")


def _allowed(client: Client, url: str) -> set[str]:
    response = client.generic("PROPFIND", url)
    if response.status_code != 405:
        return set()
    return {m.strip().upper() for m in response.get("Allow", "").split(",")}


@pytest.fixture(scope="module")
def write_plan(seed):
    """[(pattern, url, method)] of every write, with every value of the seed."""
    found, _ = crawl_urls.patterns()
    probe = Client()
    plan = []
    with override_settings(SESSION_SAVE_EVERY_REQUEST=False), transaction.atomic():
        log_in(probe, seed.cast.users["secretariat_a"])
        for pattern in found:
            if pattern.name in EXEMPT_WRITES:
                continue
            urls = list(crawl_urls.urls_for(pattern))
            urls = [u for u in urls if "?" not in u]
            if not urls:
                continue
            methods = _allowed(probe, urls[0]) & set(WRITES)
            if not pattern.is_api:
                methods &= {"POST"}
            plan += [(pattern, url, method) for url in urls for method in sorted(methods)]
        transaction.set_rollback(True)
    return plan


def _object_page(url: str) -> str | None:
    """The page of the object a write names (the URL up to its last id), if one is routed."""
    match = _LAST_ID.match(url)
    if not match:
        return None
    try:
        resolve(match.group(1))
    except Resolver404:
        return None
    return match.group(1)


def _write(client: Client, pattern, url: str, method: str):
    with transaction.atomic():
        if pattern.is_api:
            response = client.generic(
                method,
                url,
                b"{}" if method != "DELETE" else b"",
                content_type="application/json",
                HTTP_ACCEPT="application/json",
            )
        else:
            response = client.post(url, {})
        text = readable_text(response)
        transaction.set_rollback(True)
    return response.status_code, text


@pytest.mark.parametrize("person", ["anonymous", *CRAWLERS])
def test_writes_reveal_nothing(seed, write_plan, person):
    client = Client()
    leaks, revealing, errors = defaultdict(set), [], []
    gets: dict[str, int] = {}
    with override_settings(SESSION_SAVE_EVERY_REQUEST=False), transaction.atomic():
        if person != "anonymous":
            log_in(client, seed.cast.users[person])
        for pattern, url, method in write_plan:
            status, text = _write(client, pattern, url, method)
            if status >= 500:
                errors.append(f"{status} on {method} {url}")
            for kind in markers_in(text):
                if person not in READERS[kind]:
                    leaks[kind].add(f"{method} {url}")
            page = _object_page(url)
            if page is None or status in (404, 429) or person == "anonymous":
                continue
            if page not in gets:
                gets[page] = client.get(
                    page, HTTP_ACCEPT="application/json" if pattern.is_api else "text/html"
                ).status_code
            if gets[page] == 404:
                revealing.append(f"{method} {url}: {status} (GET {page}: 404)")
        transaction.set_rollback(True)
    print(f"{person}: {len(write_plan)} writes")
    assert not leaks, "\n".join(f"{person} read '{k}' at {sorted(v)[:8]}" for k, v in leaks.items())
    assert not errors, "\n".join(errors[:20])
    assert not revealing, (
        f"{person}: writes answering for objects whose page answers 404:\n"
        + "\n".join(revealing[:30])
    )
