"""The provider page's SPC figures are drawn once per stored result (dashboard.figures): the
same for everyone who may see the provider, drawn again when a recompute or a catalogue edit
changes what they show, and never read by anyone who may not see the provider."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard import figures, selectors
from dashboard.models import Indicator, SpcSeries

from .helpers import ae_rows, csv_bytes, load, seed_cast_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(cast, settings):
    # A cache of this test's own: the suite's Redis is shared by runs side by side.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "dashboard-figures",
        }
    }
    seed_cast_data(cast)
    return cast


def _figures(body: str) -> list[str]:
    return re.findall(r'<figure class="app-chart".*?</figure>\s*(?:<div.*?</div>)?', body, re.S)


def _page(client, provider) -> str:
    response = client.get(f"/dashboard/providers/{provider.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_figure_is_drawn_once_and_the_same_for_everyone_who_may_see_it(data, client_for):
    provider = data.providers["provider_a1"]
    with mock.patch.object(figures, "draw", wraps=figures.draw) as draw:
        first = _page(client_for("chair_a"), provider)
        assert draw.call_count == 1
        again = _page(client_for("member_a"), provider)
        assert draw.call_count == 1, "a second person, who may see the provider, reads it"
    assert _figures(first) == _figures(again) and len(_figures(first)) == 1
    series = SpcSeries.objects.select_related("indicator").get(provider=provider)
    drawn = figures.draw(series, series.indicator, provider.name)
    assert drawn in first, "the cached figure is exactly what drawing it gives"
    # Not visible: 404, whatever is cached.
    assert client_for("member_b").get(f"/dashboard/providers/{provider.pk}/").status_code == 404
    assert client_for("outsider").get(f"/dashboard/providers/{provider.pk}/").status_code == 404


def test_a_recompute_that_changes_the_result_draws_it_again(data, client_for):
    provider = data.providers["provider_a1"]
    client = client_for("chair_a")
    before = _page(client, provider)
    assert "24 months from January 2017 to December 2018" in before
    # One more month for the provider: a new data revision, recomputed.
    load(
        data.users["member_b"],
        csv_bytes(ae_rows("RAA", n=25, shift_at=16, shift=0.08, start=dt.date(2017, 1, 1))),
    )
    with mock.patch.object(figures, "draw", wraps=figures.draw) as draw:
        after = _page(client, provider)
    assert draw.call_count == 1
    assert "25 months from January 2017 to January 2019" in after
    assert "24 months from January 2017 to December 2018" not in after


def test_a_full_recompute_with_new_results_under_the_same_revision_draws_it_again(data, client_for):
    """A full recompute rewrites results without a new data revision (a new engine, say):
    the key holds what the figure is drawn from, so the old figure is not read."""
    provider = data.providers["provider_a1"]
    client = client_for("chair_a")
    _page(client, provider)
    series = SpcSeries.objects.get(provider=provider)
    SpcSeries.objects.filter(pk=series.pk).update(variation="improvement_high")
    after = _page(client, provider)
    figure = _figures(after)[0]
    assert "Special cause improvement (high)" in figure


def test_a_renamed_indicator_or_provider_is_drawn_with_its_new_name(data, client_for):
    provider = data.providers["provider_a1"]
    client = client_for("chair_a")
    _page(client, provider)
    Indicator.objects.filter(code="AE_4HR").update(name="Four-hour standard")
    assert "Four-hour standard: Alpha General Hospital" in _figures(_page(client, provider))[0]
    type(provider).objects.filter(pk=provider.pk).update(name="Alpha Hospital")
    assert "Four-hour standard: Alpha Hospital" in _figures(_page(client, provider))[0]


def test_provider_series_reads_in_one_query_whether_figures_are_cached_or_not(data):
    provider = data.providers["provider_a1"]
    user = data.users["chair_a"]
    with CaptureQueriesContext(connection) as cold:
        views = selectors.provider_series(user, provider)
    with CaptureQueriesContext(connection) as warm:
        assert [v.figure for v in selectors.provider_series(user, provider)] == [
            v.figure for v in views
        ]
    # the provider's series with their indicators
    assert len(cold) == len(warm) == 1, [q["sql"] for q in cold.captured_queries]
