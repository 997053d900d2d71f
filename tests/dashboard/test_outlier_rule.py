"""One rule for an outlier against peers (issue 15, finding 7): the matrix tags exactly what the
signals list counts (outside the 99.8% limits), and the tags read as English."""

from __future__ import annotations

import pytest

from dashboard import peers, selectors, ui
from dashboard.models import Indicator, SpcSeries

from .helpers import seed_cast_data

pytestmark = pytest.mark.django_db


def test_only_values_outside_the_998_limits_are_outliers():
    assert [f for f in (-2, -1, 0, 1, 2, None) if peers.is_outlier(f)] == [-2, 2]


@pytest.mark.parametrize(
    ("flag", "direction", "text"),
    [
        (2, "decrease", "Worse than peers"),
        (-2, "decrease", "Better than peers"),
        (2, "increase", "Better than peers"),
        (-2, "neutral", "Different from peers"),
    ],
)
def test_a_tag_says_worse_better_or_different_than_peers(flag, direction, text):
    indicator = Indicator(improvement_direction=direction)
    tag = str(ui.flag_tag(flag, indicator, "peers"))
    assert f">{text}<" in tag
    assert peers.FLAG_LABELS[flag] in tag
    assert "Concern than" not in tag and "Better than peers (" not in tag


def test_a_value_outside_the_95_limits_only_gets_no_tag():
    indicator = Indicator(improvement_direction="decrease")
    assert str(ui.flag_tag(1, indicator, "peers")) == ""
    assert ui.flag_text(1, indicator) == "Above the 95% limit (concern)"


def test_the_matrix_tags_what_the_signals_list_counts(cast, client_for):
    seed_cast_data(cast)
    qsg = cast.qsgs["a"]
    a1 = SpcSeries.objects.get(provider=cast.providers["provider_a1"])
    others = SpcSeries.objects.filter(provider__qsg=qsg).exclude(pk=a1.pk)
    others.update(peer_flag=0, national_flag=0)
    client = client_for("secretariat_a")
    since = selectors.month_before(selectors.latest_data_month())
    signals_url = f"/dashboard/qsgs/{qsg.pk}/signals/"  # since the month before the latest

    def peer_outliers():
        found = selectors.signals_since(cast.users["secretariat_a"], qsg, since)
        return [s for s in found if s.kind == "peer"]

    # Outside the 95% limits only: no signal, and no tag on the matrix.
    SpcSeries.objects.filter(pk=a1.pk).update(peer_flag=1, national_flag=0)
    matrix = client.get(f"/dashboard/qsgs/{qsg.pk}/").content.decode()
    assert peer_outliers() == []
    assert "Outlier against peers (0)" in client.get(signals_url).content.decode()
    assert "than peers" not in matrix and "Concern 95%" not in matrix

    # Outside the 99.8% limits: one signal, one tag.
    SpcSeries.objects.filter(pk=a1.pk).update(peer_flag=2)
    matrix = client.get(f"/dashboard/qsgs/{qsg.pk}/").content.decode()
    assert [s.provider_id for s in peer_outliers()] == [a1.provider_id]
    assert "Outlier against peers (1)" in client.get(signals_url).content.decode()
    assert matrix.count(">Worse than peers<") == 1
