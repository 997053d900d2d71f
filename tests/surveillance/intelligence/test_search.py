"""Search at national scale: ranked full-text matches, references by prefix, capped counts.

Each search stays inside what the reader may see (`access.items_for`): the checks run as a
reader who sees some of the matching items and not others.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from surveillance.intelligence import selectors as sel

from .factories import Distribution, released

pytestmark = pytest.mark.django_db

URL = "/api/v1/intelligence/"
LIST = "surveillance:intelligence-list"


def _ids(client, **params) -> list[int]:
    return [row["id"] for row in client.get(URL, params).json()["results"]]


def test_best_match_first_then_newest(cast, client_for):
    in_details = released(cast, summary="Estates backlog", details="Kestrel ward kestrel again.")
    in_summary = released(cast, summary="Kestrel ward closed", details="Beds moved.")
    newest_in_details = released(cast, summary="Estates", details="Kestrel ward kestrel again.")
    released(cast, summary="Unrelated", details="Nothing here.")
    client = client_for("cqc_a")
    # The summary weighs more than the details; equal ranks come newest first.
    assert _ids(client, search="kestrel") == [in_summary.pk, newest_in_details.pk, in_details.pk]
    # Asking for an order overrides the rank.
    assert _ids(client, search="kestrel", ordering="created_at") == [
        in_details.pk,
        in_summary.pk,
        newest_in_details.pk,
    ]
    page = client.get(reverse(LIST), {"q": "kestrel"}).content.decode()
    assert page.index(in_summary.reference) < page.index(in_details.reference)
    assert "3 items" in page


def test_a_reference_or_its_start_finds_that_item_only_if_visible(cast, client_for):
    mine = released(cast)
    hidden = released(cast, author="cqc_a", distribution=Distribution.ORGANISATION)
    client = client_for("member_a")
    assert _ids(client, search=mine.reference.lower()) == [mine.pk]
    assert _ids(client, search=hidden.reference) == []  # cqc_a's organisation only
    assert _ids(client_for("cqc_a"), search=hidden.reference) == [hidden.pk]
    start = mine.reference[:-2]  # "INT-2026-0000" and so on: every item with that start
    found = set(_ids(client, search=start))
    assert mine.pk in found and hidden.pk not in found
    assert sel.is_reference(start) and not sel.is_reference("covid-19 ward")
    page = client.get(reverse(LIST), {"q": mine.reference}).content.decode()
    assert "1 item" in page and mine.reference in page


def test_a_search_counts_up_to_the_cap_and_says_so(cast, client_for, monkeypatch):
    monkeypatch.setattr(sel, "SEARCH_COUNT_CAP", 2)
    best = released(cast, summary="Osprey osprey osprey", details="Osprey unit.")
    newer = [released(cast, details=f"Osprey unit report {n}.") for n in range(2)]
    hidden = released(cast, author="cqc_a", details="Osprey.", distribution="organisation")
    client = client_for("member_a")
    body = client.get(URL, {"search": "osprey", "page_size": 1}).json()
    assert (body["count"], body["count_capped"]) == (2, True)
    assert body["next"] and hidden.pk not in _ids(client, search="osprey")
    # Past the cap, newest first (not ranked): the best match is the oldest.
    assert _ids(client, search="osprey") == [newer[1].pk, newer[0].pk]
    last = client.get(URL, {"search": "osprey", "page_size": 1, "page": 2}).json()
    assert last["next"] is None  # the pages reach the capped count only
    page = client.get(reverse(LIST), {"q": "osprey"}).content.decode()
    assert "More than 2 items match" in page
    # Under the cap (what the reader sees of it), the count is exact and says so.
    monkeypatch.setattr(sel, "SEARCH_COUNT_CAP", 3)
    body = client.get(URL, {"search": "osprey"}).json()
    assert (body["count"], body["count_capped"]) == (3, False)
    assert body["results"][0]["id"] == best.pk  # ranked again
    assert "3 items" in client.get(reverse(LIST), {"q": "osprey"}).content.decode()
    # A list that does not search is counted exactly, whatever the cap.
    monkeypatch.setattr(sel, "SEARCH_COUNT_CAP", 1)
    assert client.get(URL).json()["count_capped"] is False
