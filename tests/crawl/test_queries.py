"""Query strings of every list (issue 14, build 7): filters, search and pages reveal nothing.

For every page and API list of the URL configuration (a pattern without path parameters):
* **search**: a search for the markers a person may not read answers exactly as a search for
  words nobody wrote (the same status and the same page once the words are taken out), so no
  result, count, "1 hidden" line or empty-state difference tells them such an item exists;
* **filters and pages**: `?qsg=`, `?provider=` and `?meeting=` with every seeded value, and
  `?page=2`, show no marker of a kind the person may not read;
* **hidden ids**: every id filter of every list (the three above on pages and API lists, and
  every id filter of an API list's filterset: `?organisation=`, `?regional_qsg=`...) answers an
  id the person cannot see exactly as an id that does not exist (the same status and body, the
  id itself taken out where the page echoes it). "Cannot see" is asked of the object's own
  detail (the API's, or else the page's, found in the URL configuration): 404 there, and the
  id is not read on a row of the unfiltered list (member_c reads their QSG's `regional_qsg`
  although the region's own detail is not theirs).

Which lists read which parameter is found by asking, not listed by hand: as the secretariat of
QSG A (who reads the most), a list whose answer changes with the parameter reads it. API lists
with their own id filters are crawled with every value by `test_crawl.py` already. A page whose
answer differs between two identical requests (a form's once-only token, a new two-factor
secret, a health check) is no list and is left out.
"""

from __future__ import annotations

import difflib
import html
import re
from urllib.parse import quote, quote_plus, urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from qsg.models import QSG, Provider
from surveillance.intelligence.models import Theme
from surveillance.meetings.models import Meeting
from tests.signin import log_in

from . import urls as crawl_urls
from .expectations import CRAWLERS, READERS
from .seed import PREFIX
from .test_crawl import markers_in, readable_text

pytestmark = pytest.mark.django_db

TEXT_PARAMETERS = ("q", "search")
ID_PARAMETERS = {"qsg": QSG, "provider": Provider, "meeting": Meeting}
# Models named by an id filter with no detail of their own, and why none of their rows is hidden.
PUBLIC_FILTER_MODELS = {Theme: "reference data: every theme is offered to everyone who files"}
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


def _id_taken_out(body: str, name: str, value: str) -> str:
    """The body with the echo of `?name=value` (in links and the filter form) made neutral."""
    n = re.escape(name)
    body = re.sub(rf"([?&;]{n}=){value}(?!\d)", r"\1ID", body)
    body = re.sub(rf'(<input\b[^>]*\bname="{n}"[^>]*\bvalue="){value}(")', r"\1ID\2", body)
    return re.sub(rf'(<input\b[^>]*\bvalue="){value}("[^>]*\bname="{n}")', r"\1ID\2", body)


def _read_on_rows(client: Client, url: str, name: str) -> set[str]:
    """The values of field `name` (or `names`, a list) on the rows an API list shows the person
    unfiltered: an id they read on a row they may see is not hidden from them (their own QSG's
    region, the provider of an item shared with them)."""
    response = client.get(url, HTTP_ACCEPT="application/json")
    if response.status_code != 200:
        return set()
    data = response.json()
    rows = data.get("results", []) if isinstance(data, dict) else data
    read = set()
    for row in rows:
        for value in (row.get(name), row.get(f"{name}s")) if isinstance(row, dict) else ():
            read.update(str(v) for v in (value if isinstance(value, list) else [value]))
    return read


def _first_difference(body: str, other: str) -> str:
    changed = [
        line.strip()
        for line in difflib.unified_diff(other.splitlines(), body.splitlines(), n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---") and line[1:].strip()
    ]
    return " | ".join(changed[:4])[:400]


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
    with transaction.atomic():
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


def _detail_patterns(found) -> dict[type, object]:
    """{model: the pattern of one object's detail}: the API's `<basename>-detail`, or else a
    page whose only parameter is the model's id."""
    out: dict[type, object] = {}
    for p in sorted(found, key=lambda p: (not p.is_api, not p.name.endswith("-detail"), p.name)):
        if p.params in (("pk",), ("qsg_pk",)) and isinstance(p.sources[0], type):
            out.setdefault(p.sources[0], p)
    return out


@pytest.fixture(scope="module")
def id_filters(seed, lists):
    """[(pattern, list url, parameter, model, [values], missing value)]: every id filter of
    every list, and the pattern of each filtered model's detail. The lists that read `?qsg=`,
    `?provider=` and `?meeting=` are found by asking (`lists`); an API list's other id
    filters are read from its filterset (through the router)."""
    found, _ = crawl_urls.patterns()
    details = _detail_patterns(found)
    rows = []
    for name, model in ID_PARAMETERS.items():
        for pattern, urls in lists[name]:
            rows.append((pattern, urls[0].split("?")[0], name, model))
    seen = {(p.name, name) for p, _, name, _ in rows}
    for pattern in found:
        for name, model in crawl_urls.list_filters(pattern)[0]:
            if (pattern.name, name) not in seen:
                rows.append((pattern, reverse(pattern.name), name, model))
    out, undecided = [], set()
    for pattern, url, name, model in rows:
        if model in PUBLIC_FILTER_MODELS:
            continue
        if model not in details:
            undecided.add(model.__name__)
            continue
        values = [str(r.pk) for r in crawl_urls._seeded(model, list(model.objects.order_by("pk")))]
        missing = str(
            (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 10**6
        )
        out.append((pattern, url, name, model, values, missing))
    assert not undecided, f"id filters on models with no detail to ask: {sorted(undecided)}"
    return out, details


def test_every_list_id_filter_is_asked(id_filters):
    """The hidden-id rule is asked of the API's id filters and of the pages' (so a probe that
    finds nothing cannot pass)."""
    rows, _ = id_filters
    asked = {(p.name, name) for p, _, name, *_ in rows}
    print(sorted(asked))
    for pattern in crawl_urls.patterns()[0]:
        for name, model in crawl_urls.list_filters(pattern)[0]:
            assert model in PUBLIC_FILTER_MODELS or (pattern.name, name) in asked
    assert ("surveillance:intelligence-list", "qsg") in asked
    assert ("api:meeting-list", "qsg") in asked


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
    with transaction.atomic():
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


@pytest.mark.parametrize("person", ["anonymous", *CRAWLERS])
def test_hidden_ids_in_filters_answer_as_missing_ones(seed, id_filters, person):
    """`?qsg=<a QSG the person cannot see>` answers exactly as `?qsg=<no QSG>`, on every list
    and for every id filter."""
    rows, details = id_filters
    differ = []
    hidden: dict[tuple[type, str], bool] = {}
    client = Client()
    with transaction.atomic():
        if person != "anonymous":
            log_in(client, seed.cast.users[person])
        for pattern, url, name, model, values, missing in rows:
            control = None
            known = _read_on_rows(client, url, name) if pattern.is_api else set()
            for value in values:
                if (model, value) not in hidden:
                    detail = details[model]
                    response = client.get(
                        reverse(detail.name, kwargs={detail.params[0]: value}),
                        HTTP_ACCEPT="application/json" if detail.is_api else "text/html",
                    )
                    hidden[model, value] = response.status_code == 404
                if not hidden[model, value] or value in known:
                    continue
                if control is None:
                    status, body = _answer(client, f"{url}?{name}={missing}", "\0", pattern.is_api)
                    control = status, _id_taken_out(body, name, missing)
                status, body = _answer(client, f"{url}?{name}={value}", "\0", pattern.is_api)
                body = _id_taken_out(body, name, value)
                if (status, body) != control:
                    differ.append(
                        f"{url}?{name}={value}: {status} (missing id: {control[0]}) "
                        + _first_difference(body, control[1])
                    )
        transaction.set_rollback(True)
    assert not differ, (
        f"{person}: an id they cannot see answers differently from one that does not exist:\n"
        + "\n".join(differ)
    )
