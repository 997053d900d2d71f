"""Writes crawled too (issue 14, build 7): what a POST answers reveals nothing a GET hides.

Every pattern of the URL configuration that takes a write (found by asking: a method it does not
allow answers 405 with the methods it does) is sent, as every person of the cast, with every
value of the seed for its parameters: pages a POST with an empty form (so a form comes back
with its errors, or a confirmation re-renders) and, where the page names an object and shows a
form, a second POST with a plausible form (the fields of the form the page shows the
secretariat of QSG A, with harmless values) to each person whose GET of the object's page is
a 404, so that a view that validates the form before it looks the object up is asked too; API lists an empty JSON create, API details an empty
PATCH and a DELETE. Each write runs in a savepoint rolled back at once, so the seed is the
same for every request. Two rules:
* no answer carries the marker of a kind the person may not read (a re-rendered form, an
  error, a message stored for the next page, a header);
* where the object's own page answers the person's GET with 404, the write answers 404 as well
  (the same as for an id that does not exist): a 403, a 400 with field errors or a re-rendered
  form would tell them the object exists.
Hidden ids named in a body (another QSG's meeting in a create) are `tests/hostile/test_hidden_ids.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from tests.signin import log_in

from . import urls as crawl_urls
from .expectations import CRAWLERS, READERS
from .seed import PREFIX
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


class _FormFields(HTMLParser):
    """The fields of the page's POST forms, with harmless values: what the form shows (never a
    marker), else a value of the field's kind; the first choice of each select and radio
    group, every checkbox ticked; no files."""

    HARMLESS = {
        "number": "1",
        "date": dt.date.today().isoformat(),
        "email": "someone@example.org",
        "url": "https://example.org/",
        "month": dt.date.today().strftime("%Y-%m"),
        "time": "10:00",
    }

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self.fields: dict[str, list[str]] | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    @staticmethod
    def _harmless(value: str) -> str:
        return "Nothing of note" if PREFIX in value.lower() else value

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.fields = {}
            self.forms.append((a.get("action", ""), self.fields))
        if self.fields is None or (not a.get("name") and tag != "option"):
            return
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("file", "submit", "button", "image", "reset"):
                return
            if kind == "radio" and name in self.fields:
                return
            if kind == "hidden":
                value = a.get("value", "")
            elif kind == "checkbox":
                value = a.get("value") or "on"
            else:
                value = a.get("value") or self.HARMLESS.get(kind, "Nothing of note")
            self.fields.setdefault(name, []).append(self._harmless(value))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and a.get("value") and self.select not in self.fields:
            self.fields[self.select] = [a["value"]]
        elif tag == "textarea":
            self.textarea = name
            self.fields[name] = ["Nothing of note"]

    def handle_data(self, data):
        if self.fields is not None and self.textarea and data.strip():
            self.fields[self.textarea] = [self._harmless(data.strip())]

    def handle_endtag(self, tag):
        if tag == "form":
            self.fields = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def _plausible_form(client: Client, url: str) -> dict[str, list[str]] | None:
    """The fields of the form this page posts to itself, if it shows one."""
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return None
    parser = _FormFields()
    parser.feed(response.content.decode(errors="replace"))
    own = [fields for action, fields in parser.forms if action in ("", url) and fields]
    if not own:
        return None
    fields = dict(own[0])
    fields.pop("csrfmiddlewaretoken", None)
    return fields or None


@pytest.fixture(scope="module")
def write_plan(seed):
    """[(pattern, url, method)] of every write, with every value of the seed."""
    found, _ = crawl_urls.patterns()
    probe = Client()
    plan = []
    with transaction.atomic():
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
            plan += [(pattern, url, method, None) for url in urls for method in sorted(methods)]
            if "POST" in methods and not pattern.is_api and pattern.params:
                form = next(filter(None, (_plausible_form(probe, u) for u in urls)), None)
                if form is not None:
                    plan += [(pattern, url, "POST", form) for url in urls]
        transaction.set_rollback(True)
    return plan


def test_plausible_forms_are_sent(write_plan):
    """The plan sends filled-in forms to the pages that name an object (so a walk that finds
    no form cannot pass): an agenda item's and an intelligence item's edit among them."""
    filled = {p.name for p, _, _, form in write_plan if form}
    print(f"{len(filled)} patterns get a filled-in form: {sorted(filled)}")
    assert "surveillance:agenda-item-edit" in filled
    assert any(name.startswith("surveillance:intelligence") for name in filled)


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


def _write(client: Client, pattern, url: str, method: str, form=None):
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
            response = client.post(url, form or {})
        text = readable_text(response)
        transaction.set_rollback(True)
    return response.status_code, text


@pytest.mark.parametrize("person", ["anonymous", *CRAWLERS])
def test_writes_reveal_nothing(seed, write_plan, person):
    client = Client()
    leaks, revealing, errors = defaultdict(set), [], []
    gets: dict[str, int] = {}
    sent = 0
    with transaction.atomic():
        if person != "anonymous":
            log_in(client, seed.cast.users[person])

        def page_status(page: str, is_api: bool) -> int:
            if page not in gets:
                gets[page] = client.get(
                    page, HTTP_ACCEPT="application/json" if is_api else "text/html"
                ).status_code
            return gets[page]

        for pattern, url, method, form in write_plan:
            if form is not None:  # only where the 404 rule is asked: a hidden object
                page = _object_page(url)
                if person == "anonymous" or page is None or page_status(page, False) != 404:
                    continue
            status, text = _write(client, pattern, url, method, form)
            sent += 1
            if status >= 500:
                errors.append(f"{status} on {method} {url}")
            for kind in markers_in(text):
                if person not in READERS[kind]:
                    leaks[kind].add(f"{method} {url}{' (filled in)' if form else ''}")
            page = _object_page(url)
            if page is None or status in (404, 429) or person == "anonymous":
                continue
            if page_status(page, pattern.is_api) == 404:
                filled = " with a filled-in form" if form else ""
                revealing.append(f"{method} {url}{filled}: {status} (GET {page}: 404)")
        transaction.set_rollback(True)
    print(f"{person}: {sent} writes")
    assert not leaks, "\n".join(f"{person} read '{k}' at {sorted(v)[:8]}" for k, v in leaks.items())
    assert not errors, "\n".join(errors[:20])
    assert not revealing, (
        f"{person}: writes answering for objects whose page answers 404:\n"
        + "\n".join(revealing[:30])
    )
