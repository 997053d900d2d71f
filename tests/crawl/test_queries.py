"""Query strings of every list (issue 14, build 7): filters, search and pages reveal nothing.

For every page and API list of the URL configuration (a pattern without path parameters):
* **search**: a search for the markers a person may not read answers exactly as a search for
  words nobody wrote (the same status and the same page once the words are taken out), so no
  result, count, "1 hidden" line or empty-state difference tells them such an item exists;
* **filters and pages**: `?qsg=`, `?provider=` and `?meeting=` with every seeded value, and
  `?page=2`, show no marker of a kind the person may not read.

Which lists read which parameter is found by asking, not listed by hand: as the secretariat of
QSG A (who reads the most), a list whose answer changes with the parameter reads it. API lists
with their own id filters are crawled with every value by `test_crawl.py` already. A page whose
answer differs between two identical requests (a form's once-only token, a new two-factor
secret, a health check) is no list and is left out.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, quote_plus, urlencode

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from qsg.models import QSG, Provider
from surveillance.meetings.models import Meeting
from tests.signin import log_in

from . import urls as crawl_urls
from .expectations import CRAWLERS, READERS
from .seed import PREFIX
from .test_crawl import markers_in, readable_text

pytestmark = pytest.mark.django_db

TEXT_PARAMETERS = ("q", "search")
ID_PARAMETERS = {"qsg": QSG, "provider": Provider, "meeting": Meeting}
# At most this many markers in one search ("a or b or c"): every list keeps 100 characters of
# a search at least, so the echo of the whole search is found and taken out.
PER_SEARCH = 3


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


_VARYING = re.compile(
    r'(nonce="|name="csrfmiddlewaretoken" value="|csrf-token" content="|"csrfToken": ")[^"]*'
)


def _answer(client: Client, url: str, words: str, is_api: bool) -> tuple[int, str]:
    """The status and the body with the search words (as typed, escaped or encoded) and what
    changes per request (CSRF tokens, script nonces) taken out."""
    headers = {"HTTP_ACCEPT": "application/json"} if is_api else {}
    response = client.get(url, **headers)
    body = _VARYING.sub(r"\1", _body(response))
    for form in {
        words,
        html.escape(words),
        quote_plus(words),
        quote(words),
        words.replace(" ", "+"),
    }:
        body = body.replace(form, "WORDS")
    return response.status_code, body


def _searches(kinds: list[str]) -> list[tuple[str, str]]:
    """(search for these kinds' markers, search for as many words nobody wrote), in chunks."""
    out = []
    for start in range(0, len(kinds), PER_SEARCH):
        chunk = kinds[start : start + PER_SEARCH]
        real = " or ".join(f"{PREFIX}{k}qz" for k in chunk)
        absent = " or ".join(f"{PREFIX}{'x' * len(k)}{n}qz" for n, k in enumerate(chunk))
        out.append((real, absent))
    return out


@pytest.fixture(scope="module")
def lists(seed):
    """{parameter: [(pattern, values)]}: the lists that read each query parameter, with the
    values to ask for, found as the secretariat of QSG A."""
    found, _ = crawl_urls.patterns()
    candidates = [p for p in found if not p.params]
    client = Client()
    reading: dict[str, list] = {name: [] for name in (*TEXT_PARAMETERS, *ID_PARAMETERS, "page")}
    ids = {
        name: [str(row.pk) for row in crawl_urls._seeded(model, list(model.objects.order_by("pk")))]
        for name, model in ID_PARAMETERS.items()
    }
    with override_settings(SESSION_SAVE_EVERY_REQUEST=False), transaction.atomic():
        log_in(client, seed.cast.users["secretariat_a"])
        for pattern in candidates:
            url = reverse(pattern.name)
            plain = _answer(client, url, "\0", pattern.is_api)
            if plain[0] != 200 or _answer(client, url, "\0", pattern.is_api) != plain:
                continue  # not a list, or a page that differs per request (a new secret, a
                # form's once-only token, a health check's timings): no list to compare
            for name in TEXT_PARAMETERS:
                words = f"{PREFIX}probeqz"
                if _answer(client, f"{url}?{name}={words}", words, pattern.is_api) != plain:
                    reading[name].append((pattern, url))
            for name, values in ids.items():
                if any(
                    _answer(client, f"{url}?{name}={v}", "\0", pattern.is_api) != plain
                    for v in values
                ):
                    reading[name].append((pattern, [f"{url}?{name}={v}" for v in values]))
            if _answer(client, f"{url}?page=2", "\0", pattern.is_api) != plain:
                reading["page"].append((pattern, [f"{url}?page=2"]))
        transaction.set_rollback(True)
    return reading


def test_search_and_filters_are_found_on_the_lists(lists):
    """The probe finds what it should (so a probe that finds nothing cannot pass): the
    intelligence list's search and filters, and the API's search."""
    names = {name: {p.name for p, _ in rows} for name, rows in lists.items()}
    print({name: sorted(found) for name, found in names.items()})
    assert "surveillance:intelligence-list" in names["q"]
    assert "api:intelligence-list" in names["search"] | names["q"]
    assert "surveillance:intelligence-list" in names["qsg"]
    assert "surveillance:intelligence-list" in names["provider"]


@pytest.mark.parametrize("person", ["anonymous", *CRAWLERS])
def test_searches_filters_and_pages_reveal_nothing(seed, lists, person):
    hidden = sorted(kind for kind, readers in READERS.items() if person not in readers)
    differ, leaks = [], []
    client = Client()
    with override_settings(SESSION_SAVE_EVERY_REQUEST=False), transaction.atomic():
        if person != "anonymous":
            log_in(client, seed.cast.users[person])
        for name in TEXT_PARAMETERS:
            for pattern, url in lists[name]:
                for real, absent in _searches(hidden):
                    asked = _answer(
                        client, f"{url}?{urlencode({name: real})}", real, pattern.is_api
                    )
                    control = _answer(
                        client, f"{url}?{urlencode({name: absent})}", absent, pattern.is_api
                    )
                    if asked != control:
                        differ.append(f"{url}?{name}={real}")
        for name in (*ID_PARAMETERS, "page"):
            for pattern, urls in lists[name]:
                for url in urls:
                    headers = {"HTTP_ACCEPT": "application/json"} if pattern.is_api else {}
                    for kind in markers_in(readable_text(client.get(url, **headers))):
                        if kind not in READERS or person not in READERS[kind]:
                            leaks.append(f"'{kind}' at {url}")
        transaction.set_rollback(True)
    assert not leaks, f"{person} read markers through filters:\n" + "\n".join(leaks)
    assert not differ, (
        f"{person}: a search for words they may not read answers differently from a search for "
        "words nobody wrote:\n" + "\n".join(differ)
    )
