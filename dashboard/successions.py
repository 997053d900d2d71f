"""Organisations that merged: both sides of a succession on one chart.

A predecessor's series and its successor's are judged separately (each against its own
history), and are never pooled: an organisation that merged is a different process. The
successor's page draws the predecessor's points up to the change, then its own, with a line at
the change, as a rebase is drawn. Only providers the reader may see are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse

from qsg import access as qsg_access
from qsg.models import Provider

from . import charts, selectors
from .models import ProviderSuccession, SpcSeries
from .results import unpack_points


@dataclass
class Link:
    succession: ProviderSuccession
    provider: Provider | None  # the other side, when the reader may see it

    @property
    def url(self) -> str:
        return reverse("dashboard:provider", args=[self.provider.pk]) if self.provider else ""


def links_of(user, provider: Provider) -> tuple[list[Link], list[Link]]:
    """(predecessors, successors) of a provider, each with the other side if visible."""
    rows = list(
        ProviderSuccession.objects.filter(
            Q(successor=provider.ods_code) | Q(predecessor=provider.ods_code)
        )
    )
    codes = {r.predecessor for r in rows} | {r.successor for r in rows}
    visible = {p.ods_code: p for p in qsg_access.providers_for(user).filter(ods_code__in=codes)}
    before = [Link(r, visible.get(r.predecessor)) for r in rows if r.successor == provider.ods_code]
    after = [Link(r, visible.get(r.successor)) for r in rows if r.predecessor == provider.ods_code]
    return before, after


@dataclass
class JoinedChart:
    predecessor: Provider
    succession: ProviderSuccession
    svg: str
    description: str


def joined_charts(user, series: SpcSeries) -> list[JoinedChart]:
    """One chart per visible predecessor with data for the same indicator: its points before
    the change, then this series' points."""
    indicator = series.indicator
    before, _ = links_of(user, series.provider)
    out = []
    for link in before:
        if link.provider is None:
            continue
        other = (
            SpcSeries.objects.filter(provider=link.provider, indicator=indicator, n_points__gt=0)
            .select_related("provider")
            .first()
        )
        if other is None:
            continue
        effective = link.succession.effective
        old = [p for p in unpack_points(other.points, other.groups) if p.period < effective]
        new = unpack_points(series.points, series.groups)
        if not old or not new:
            continue
        # each side keeps its own limits: the change is a boundary, like a rebase
        groups = [p.rebase_group for p in old]
        offset = (max(groups) + 1) if groups else 0
        groups += [offset + p.rebase_group for p in new]
        label = f"{link.provider.ods_code} to {series.provider.ods_code}"
        boundaries = [
            label if i == len(old) else "Rebased"
            for i in range(1, len(groups))
            if groups[i] != groups[i - 1]
        ]
        points = old + new
        description = (
            f"{indicator.name}: {link.provider.name} ({link.provider.ods_code}) up to "
            f"{indicator.period_label(old[-1].period, long=True)}, then {series.provider.name} "
            f"({series.provider.ods_code}) from {indicator.period_label(new[0].period, long=True)}"
            f". Each side is judged against its own history. "
            + selectors.describe(series, indicator, new)
        )
        chart = selectors.chart_series(
            points,
            indicator,
            title=f"{indicator.name}: {link.provider.name}, then {series.provider.name}",
            target=series.target,
            description=description,
            rebase_groups=groups,
            boundaries=boundaries,
        )
        svg = charts.spc_chart_svg(chart, chart_id=f"spc-{series.pk}-from-{other.pk}")
        out.append(JoinedChart(link.provider, link.succession, svg, description))
    return out
