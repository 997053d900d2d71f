"""Intelligence items for the cast, made through the services as the product makes them."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from surveillance.intelligence import services as si
from surveillance.intelligence.models import IntelligenceItem, Theme

Item = IntelligenceItem
Distribution = Item.Distribution
Status = Item.Status
_counter = itertools.count(1)


def fields(cast, **overrides) -> dict:
    today = timezone.localdate()
    n = next(_counter)
    base = {
        "qsg": cast.qsgs["a"],
        "providers": [cast.providers["provider_a1"]],
        "service_site": "Ward 7, surgical admissions",
        "source_type": Item.SourceType.STAFF,
        "quality_dimension": Item.QualityDimension.SAFETY,
        "theme": Theme.objects.get(code="staffing"),
        "summary": f"Night shifts on the surgical ward short of registered nurses ({n})",
        "details": "Staff report that night shifts ran with two registered nurses for 28 beds "
        "on several nights in the last month; agency cover was cancelled at short notice.",
        "observed_from": today - dt.timedelta(days=20),
        "observed_to": today - dt.timedelta(days=5),
        "source_reliability": "B",
        "information_certainty": 2,
        "review_by": today + dt.timedelta(days=60),
        "distribution": Distribution.QSG,
        "named_organisations": [],
        "do_not_attribute": False,
        "outside_reason": "",
    }
    base.update(overrides)
    return base


def api_body(cast, **overrides) -> dict:
    """`fields` as a JSON body for POST /api/v1/intelligence/ (ids and ISO dates)."""
    data = fields(cast)
    body = {
        **{k: v for k, v in data.items() if k not in ("qsg", "providers", "theme")},
        "qsg": data["qsg"].pk,
        "providers": [p.pk for p in data["providers"]],
        "theme": data["theme"].pk,
        "observed_from": data["observed_from"].isoformat(),
        "observed_to": data["observed_to"].isoformat(),
        "review_by": data["review_by"].isoformat(),
    }
    body.update(overrides)
    return body


def submit(cast, author: str = "member_a", **overrides) -> Item:
    return si.intelligence_item_submit(actor=cast.users[author], **fields(cast, **overrides))


def triage(cast, item: Item, by: str = "secretariat_a", **extra) -> Item:
    return si.intelligence_item_triage(actor=cast.users[by], item=item, **extra)


def released(cast, author: str = "member_a", by: str = "secretariat_a", **overrides) -> Item:
    return triage(cast, submit(cast, author, **overrides), by=by)


SECRET = "Unannounced closure of the Willow birthing unit"
ATTRIBUTION_SECRET = "Alpha Integrated Care Board"  # member_a's organisation


def scenario(cast) -> dict:
    """Items of QSG A submitted by member_a, built once per test and kept on the cast.

    shared: released to QSG A's members; own: released, "my organisation only", its summary is
    SECRET; hidden_source: released, do not attribute; untriaged: submitted, awaiting triage.
    """
    cached = cast.__dict__.get("_intelligence")
    if cached:
        return cached
    items = {
        "shared": released(cast),
        "own": released(cast, distribution=Distribution.ORGANISATION, summary=SECRET),
        "hidden_source": released(cast, do_not_attribute=True),
        "untriaged": submit(cast),
    }
    cast.__dict__["_intelligence"] = items
    return items
