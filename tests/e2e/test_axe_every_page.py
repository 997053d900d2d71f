"""Axe on every page (issue 15, build 2), generated from the URL configuration.

The list of pages is the canary crawl's (`tests/crawl/urls.py`): every routed page pattern with
the ids of the crawl's seed (`tests/crawl/seed.py`, one object of every kind). For each pattern
the first of its URLs that someone may read is visited, as the first person who may: those the
permission matrix (`tests/matrix/`) names as allowed for that page (everyone in `PREFERENCE`'s
order if it names nobody) on its first few URLs, then nobody (the sign-in pages), then the rest
of the cast on its first URL. Who may read it is asked of the server with a test client (a whole
HTML document with 200), never assumed; files (PDF, CSV, calendars) and POST-only URLs are not
pages. Serious and critical violations only, as every other browser test here
(`tests/e2e/conftest.py`).

One browser, one context per person (signed in once, by the session the test client made), and
axe-core's WCAG 2.2 A/AA rules on every page; the test fails with every serious or critical
violation found, page by page. A page pattern that nobody could read must be listed in
`NOT_VISITED` with the reason, so a new page cannot slip out of the check.
"""

from __future__ import annotations

import time
from collections import defaultdict

from django.test import Client

from tests.crawl import urls as crawl_urls
from tests.crawl.seed import build_seed
from tests.signin import log_in
from tests.test_permission_matrix import RULES

from .conftest import axe_violations

# Who is asked first when the permission matrix names nobody (or several): the people whose
# pages are the fullest (the local secretariat manages QSG A, where the seed's objects are).
PREFERENCE = (
    "secretariat_a",
    "chair_a",
    "member_a",
    "cqc_a",
    "member_b",
    "regional_secretariat",
    "reviewer",
    "secretariat_b",
    "observer_a",
    "voice_a",
    "guest",
    "regional_member",
    "secretariat_c",
    "member_c",
    "outsider",
)
NOT_A_PAGE = "not a page"
URLS_TRIED = 6  # per pattern: a later object of the seed if nobody may read the first

# Page patterns nobody reads as a page with the seed, and why.
_NO_SEED = "the crawl's seed makes no {} (tests/crawl/seed.py)"
NOT_VISITED: dict[str, str] = {
    "surveillance:quorum-panel": "an htmx fragment of the attendance page, checked there",
    "qsg:two-factor-verify": "only between the password and the second factor of a sign-in "
    "(tests/e2e/test_sign_in_journey.py checks it there)",
    "dashboard:import-detail": _NO_SEED.format("import; the analyst's journey checks it"),
    "dashboard:import-errors": _NO_SEED.format("import"),
    "dashboard:import-preview": _NO_SEED.format("upload waiting for confirmation"),
    "surveillance:plan-detail": _NO_SEED.format("business plan"),
    "surveillance:plan-distribute": _NO_SEED.format("business plan"),
    "surveillance:plan-entry-create": _NO_SEED.format("business plan"),
    "surveillance:plan-entry-delete": _NO_SEED.format("business plan"),
    "surveillance:quorum-requirement-delete": _NO_SEED.format("quorum rule of its own"),
    "surveillance:series-ics": _NO_SEED.format("meeting series"),
    "dashboard:series": _NO_SEED.format(
        "indicator data; tests/e2e/test_dashboard_journey.py checks it"
    ),
    "surveillance:pack-job": "every meeting with every job of the seed: the first pairs tried "
    "are a meeting and another's job",
    "qsg:role-remove": "none of the seed's first six roles is removable by those the matrix "
    "names, and nobody else may (to do: a role in the seed for this page)",
    "surveillance:intelligence-step": "a draft's steps: the seed's first items are submitted, "
    "not drafts (tests/e2e/test_intelligence_journey.py checks the steps)",
}


def _readers(name: str) -> list[str]:
    """Who to ask: those the permission matrix allows to GET the page, else everyone."""
    ok = set()
    for case in RULES.get(name, []):
        if case.method == "GET" and not case.api and not case.query:
            ok |= case.ok
    return [p for p in PREFERENCE if p in ok] or list(PREFERENCE)


def _answer(response) -> str:
    """'page' for a whole HTML document, 'not a page' for a file (PDF, CSV, calendar, JSON) or
    a POST-only URL; else what it was."""
    if response.status_code == 405:
        return NOT_A_PAGE
    if response.status_code != 200:
        return str(response.status_code)
    if not response.get("Content-Type", "").startswith("text/html"):
        return NOT_A_PAGE
    return "page" if b"<html" in response.content[:400].lower() else "an HTML fragment"


def _plan(clients: dict[str | None, Client]):
    """({person: [(pattern, url)]}, {pattern: why not visited})."""
    found, _ = crawl_urls.patterns()
    plan: dict[str | None, list[tuple[str, str]]] = defaultdict(list)
    missed: dict[str, str] = {}
    for pattern in found:
        if pattern.is_api:
            continue
        who = [*_readers(pattern.name), None]
        answers: set[str] = set()
        reader = None
        for url in list(crawl_urls.urls_for(pattern))[:URLS_TRIED]:
            for person in who:
                answer = _answer(clients[person].get(url))
                answers.add(answer)
                if answer in ("page", NOT_A_PAGE):
                    reader = person
                    break
            if answers & {"page", NOT_A_PAGE}:
                break
        if not answers & {"page", NOT_A_PAGE}:
            # Nobody the matrix names reads the seed's first objects: ask everyone else.
            url = next(iter(crawl_urls.urls_for(pattern)), None)
            for person in [p for p in PREFERENCE if p not in who] if url else []:
                answer = _answer(clients[person].get(url))
                answers.add(answer)
                if answer in ("page", NOT_A_PAGE):
                    reader = person
                    break
        if "page" in answers:
            plan[reader].append((pattern.name, url))
        elif NOT_A_PAGE not in answers:
            missed[pattern.name] = f"answered {sorted(answers)}"
    return plan, missed


def test_axe_on_every_page(live_server, browser):
    from tests import reference

    reference.ensure()
    crawl_urls.REFERENCE.clear()
    crawl_urls.REFERENCE.update(crawl_urls.reference_rows())
    seed = build_seed()
    started = time.monotonic()
    clients: dict[str | None, Client] = {None: Client()}
    for person in PREFERENCE:
        clients[person] = Client()
        log_in(clients[person], seed.cast.users[person])
    plan, missed = _plan(clients)
    planned = time.monotonic() - started
    violations: list[str] = []
    visited = 0
    for person, pages in plan.items():
        context = browser.new_context(base_url=live_server.url)
        if person is not None:
            context.add_cookies(
                [
                    {"name": c.key, "value": c.value, "url": live_server.url}
                    for c in clients[person].cookies.values()
                ]
            )
        page = context.new_page()
        page.set_default_timeout(15_000)
        for name, url in pages:
            response = page.goto(url)
            assert response.status == 200, f"{person} on {url} ({name}): {response.status}"
            visited += 1
            for v in axe_violations(page):
                targets = [n["target"] for n in v["nodes"]][:3]
                violations.append(
                    f"{url} ({name}, as {person}): {v['id']} ({v['impact']}) {v['help']} at "
                    f"{targets}"
                )
        context.close()
    print(
        f"axe: {visited} pages in {time.monotonic() - started:.0f} s "
        f"({planned:.0f} s choosing who reads each)"
    )
    unexplained = [f"{n}: {why}" for n, why in sorted(missed.items()) if n not in NOT_VISITED]
    stale = sorted(set(NOT_VISITED) - set(missed))
    assert not (violations or unexplained or stale), (
        f"{len(violations)} axe violations:\n"
        + "\n".join(violations)
        + "\npage patterns nobody could read with the seed (add a reader, or list the pattern "
        "in NOT_VISITED with the reason):\n"
        + "\n".join(unexplained)
        + f"\nNOT_VISITED lists pages that were visited: {stale}"
    )
