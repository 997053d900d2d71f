"""Reads of the dashboard: the QSG matrix, a provider's charts, an indicator across providers,
and signals for meetings. Every read starts from dashboard.access, so it is already scoped.

Pages read stored results only; nothing here runs the SPC engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.urls import reverse
from markupsafe import Markup

from qsg import access as qsg_access
from qsg.models import QSG, Provider

from . import access, charts, peers, periods, ui
from .models import Indicator, Observation, PeerStat, SpcSeries
from .results import unpack_points

CONCERNS = ("concern_high", "concern_low")
SUMMARY_FIELDS = (
    "pk",
    "provider_id",
    "indicator_id",
    "n_points",
    "latest_period",
    "latest_value",
    "latest_denominator",
    "latest_provisional",
    "mean",
    "lpl",
    "upl",
    "target",
    "variation",
    "assurance",
    "latest_special_cause",
    "short_group",
    "target_missed",
    "last_concern_period",
    "last_concern_label",
    "national_value",
    "national_z",
    "national_flag",
    "peer_value",
    "peer_z",
    "peer_flag",
    "peer_n",
    "national_n",
    "computed_revision",
    "data_revision",
)


def summaries():
    """SPC series without their packed points: what lists and the matrix need."""
    return SpcSeries.objects.only(*SUMMARY_FIELDS)


def month_before(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


# Matrix -------------------------------------------------------------------------------------------


# What a matrix cell shows, read as plain values: the page has 25 providers x 27 indicators, and
# model instances (29 fields each) and a URL reversal per cell were most of its cost.
CELL_FIELDS = (
    "provider_id",
    "indicator_id",
    "n_points",
    "latest_period",
    "latest_value",
    "latest_provisional",
    "variation",
    "assurance",
    "peer_flag",
)


@dataclass(slots=True)
class Cell:
    """One provider x indicator of the matrix: its latest value and readings, as shown."""

    url: str
    value_text: str
    period_long: str  # for screen readers: "in March 2019, chart"
    period_own: str  # the cell's period when it is not the column's latest, else ""
    provisional: bool
    icons: Markup
    peer_tag: Markup


@dataclass
class MatrixRow:
    provider: Provider
    cells: list[Cell | None]
    concerns: int = 0


@dataclass
class Matrix:
    qsg: QSG
    indicators: list[Indicator]
    rows: list[MatrixRow]
    page: object
    national: dict[int, PeerStat] = field(default_factory=dict)
    provider_count: int = 0


MATRIX_PAGE_SIZE = 25


def matrix(
    user,
    qsg: QSG,
    *,
    sector: str = "",
    domain: str = "",
    sort: str = "name",
    descending: bool = False,
    page_number=1,
) -> Matrix:
    from django.core.paginator import Paginator

    providers = access.scope_providers(user, qsg).filter(is_active=True)
    if sector:
        providers = providers.filter(sector=sector)
    # The ids first: "footprint OR commissioned" as a subquery keeps PostgreSQL from using the
    # series' provider index (a scan of every series in the country).
    provider_ids = list(providers.values_list("pk", flat=True))
    providers = Provider.objects.filter(pk__in=provider_ids)
    indicators = Indicator.objects.filter(is_active=True)
    if domain:
        indicators = indicators.filter(domain=domain)
    # Columns: indicators with data anywhere in the country (national aggregates are not
    # sensitive, and the small aggregate table answers at once).
    indicators = list(indicators.order_by("domain", "code"))
    national = national_stats(indicators)
    indicators = [i for i in indicators if i.pk in national]

    providers = providers.select_related("qsg")
    by_code = {i.code: i for i in indicators}
    if sort in by_code:
        value = (
            SpcSeries.objects.filter(provider=OuterRef("pk"), indicator=by_code[sort])
            .order_by()
            .values("latest_value")[:1]
        )
        providers = providers.annotate(sort_value=Subquery(value))
        key = F("sort_value")
        order = [key.desc(nulls_last=True) if descending else key.asc(nulls_last=True), "name"]
    elif sort == "concerns":
        # Only this order needs every provider's count; otherwise a page's rows count theirs.
        concerns = (
            SpcSeries.objects.filter(provider=OuterRef("pk"), variation__in=CONCERNS)
            .order_by()  # the model's ordering would join the indicator and provider tables
            .values("provider")
            .annotate(c=Count("pk"))
            .values("c")
        )
        providers = providers.annotate(concerns=Subquery(concerns, output_field=IntegerField()))
        key = F("concerns")
        order = [key.asc(nulls_last=True) if descending else key.desc(nulls_last=True), "name"]
    else:
        order = ["-name"] if descending else ["name"]
    paginator = Paginator(providers.order_by(*order), MATRIX_PAGE_SIZE)
    page = paginator.get_page(page_number)
    rows = [MatrixRow(p, []) for p in page.object_list]
    _fill_cells(rows, indicators, national)
    return Matrix(
        qsg=qsg,
        indicators=indicators,
        rows=rows,
        page=page,
        national=national,
        provider_count=paginator.count,
    )


def _fill_cells(rows: list[MatrixRow], indicators: list[Indicator], national) -> None:
    """Each row's cells, in the order of `indicators` (None: no data), and its number of
    series of special cause concern (of any indicator, shown or not)."""
    # Every series of the page's providers (at most one per indicator of the catalogue), read
    # by the provider index as plain values; order_by(): the model's ordering would join the
    # indicator and provider tables to sort rows that are placed by key here.
    found = (
        SpcSeries.objects.filter(provider__in=[r.provider.pk for r in rows])
        .order_by()
        .values_list(*CELL_FIELDS)
    )
    by_key = {}
    concerns: dict[int, int] = {}
    for s in found:
        by_key[s[0], s[1]] = s
        if s[6] in CONCERNS:
            concerns[s[0]] = concerns.get(s[0], 0) + 1
    # Each link is /dashboard/providers/<id>/<code>/: its two parts made once.
    some = rows[0].provider.pk if rows else 0
    columns = [
        (
            ind,
            reverse("dashboard:series", args=[some, ind.code]).removeprefix(
                reverse("dashboard:provider", args=[some])
            ),
            national[ind.pk].period,
        )
        for ind in indicators
    ]
    for row in rows:
        row.concerns = concerns.get(row.provider.pk, 0)
        base = reverse("dashboard:provider", args=[row.provider.pk])
        for ind, tail, column_period in columns:
            s = by_key.get((row.provider.pk, ind.pk))
            if s is None or not s[2]:
                row.cells.append(None)
                continue
            _, _, _, period, value, provisional, variation, assurance, peer_flag = s
            row.cells.append(
                Cell(
                    url=base + tail,
                    value_text=charts.format_value(value, ind.unit),
                    period_long=ui.period(period, ind, long=True),
                    period_own="" if period == column_period else ui.period(period, ind),
                    provisional=provisional,
                    icons=ui.icons(variation, assurance, 24),
                    peer_tag=ui.flag_tag(peer_flag, ind, "peers"),
                )
            )


def national_stats(indicators) -> dict[int, PeerStat]:
    """The latest national aggregate of each indicator (not sensitive)."""
    latest = (
        PeerStat.objects.filter(
            indicator_id__in=[i.pk for i in indicators], group=PeerStat.NATIONAL
        )
        .order_by("indicator_id", "-period")
        .distinct("indicator_id")
    )
    return {s.indicator_id: s for s in latest}


# A provider's charts ----------------------------------------------------------------------------


@dataclass
class SeriesView:
    series: SpcSeries
    indicator: Indicator
    url: str
    figure: Markup  # the chart and its data table (dashboard.figures)

    @property
    def value_text(self) -> str:
        return charts.format_value(self.series.latest_value, self.indicator.unit)


def chart_series(
    points,
    indicator: Indicator,
    *,
    title: str,
    target,
    description: str,
    rebase_groups=None,
    boundaries=(),
) -> charts.ChartSeries:
    """What a chart draws of stored points (each with its group's limits)."""
    return charts.ChartSeries(
        title=title,
        periods=[p.period for p in points],
        values=[p.value for p in points],
        point_types=[p.point_type for p in points],
        means=[p.mean for p in points],
        lpls=[p.lpl for p in points],
        upls=[p.upl for p in points],
        rebase_groups=(
            list(rebase_groups) if rebase_groups is not None else [p.rebase_group for p in points]
        ),
        target=target,
        unit=indicator.unit,
        description=description,
        frequency=indicator.frequency,
        provisional=[p.provisional for p in points],
        boundaries=list(boundaries),
    )  # fmt: skip


def chart_for(
    series: SpcSeries,
    indicator: Indicator,
    *,
    width=720,
    height=300,
    chart_id=None,
    provider_name: str | None = None,
):
    points = unpack_points(series.points, series.groups)
    if provider_name is None:
        provider_name = series.provider.name if hasattr(series, "provider") else ""
    chart = chart_series(
        points,
        indicator,
        title=f"{indicator.name}: {provider_name}",
        target=series.target,
        description=describe(series, indicator, points),
    )
    svg = charts.spc_chart_svg(
        chart, width=width, height=height, chart_id=chart_id or f"spc-{series.pk}"
    )
    return points, svg


def describe(series: SpcSeries, indicator: Indicator, points) -> str:
    unit = indicator.unit
    if not points:
        return "No data."
    concern = sum(1 for p in points if p.point_type == "special_cause_concern")
    improvement = sum(1 for p in points if p.point_type == "special_cause_improvement")
    frequency = indicator.frequency
    observed = sum(1 for p in points if not p.missing)
    missing = len(points) - observed
    text = (
        f"{observed} {periods.noun(frequency, observed)} from "
        f"{periods.label(points[0].period, frequency, long=True)} to "
        f"{periods.label(points[-1].period, frequency, long=True)}"
        + (
            f" ({missing} {periods.noun(frequency, missing)} missing: gaps break the runs)"
            if missing
            else ""
        )
        + ". "
        f"Latest value {charts.format_value(series.latest_value, unit)}. "
        f"Mean {charts.format_value(series.mean, unit)}"
    )
    if series.lpl is not None and series.upl is not None:
        text += (
            f", process limits {charts.format_value(series.lpl, unit)} to "
            f"{charts.format_value(series.upl, unit)}"
        )
    text += (
        f". {charts.VARIATION_TEXT.get(series.variation, 'No result')}. "
        f"{concern} points of special cause concern, {improvement} of improvement."
    )
    if series.target is not None:
        text += f" Target {charts.format_value(series.target, unit)}: "
        text += charts.ASSURANCE_TEXT.get(series.assurance, "") + "."
    return text


def provider_series(user, provider: Provider) -> list[SeriesView]:
    """Every indicator with data for a provider the user may see (the caller checked it)."""
    from . import figures

    rows = list(
        SpcSeries.objects.filter(provider=provider, n_points__gt=0)
        .select_related("indicator")
        .order_by("indicator__domain", "indicator__code")
    )
    return [
        SeriesView(
            s,
            s.indicator,
            reverse("dashboard:series", args=[provider.pk, s.indicator.code]),
            figure,
        )
        for s, figure in zip(rows, figures.figures(rows, provider.name), strict=True)
    ]


# An indicator across providers ----------------------------------------------------------------


def indicator_rows(user, indicator: Indicator, *, qsg: QSG | None = None):
    providers = (
        access.scope_providers(user, qsg) if qsg is not None else qsg_access.providers_for(user)
    )
    provider_ids = list(providers.values_list("pk", flat=True))
    return list(
        summaries()
        .filter(indicator=indicator, provider_id__in=provider_ids, n_points__gt=0)
        .select_related("provider", "provider__qsg")
        .order_by("provider__name")
    )


def variation_counts(rows) -> dict[str, int]:
    counts: dict[str, int] = {}
    for s in rows:
        counts[s.variation] = counts.get(s.variation, 0) + 1
    return counts


# Signals since a date ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """Something a QSG should look at: new special cause concern, target missed, peer outlier."""

    kind: str  # "concern", "target" or "peer"
    provider_id: int
    provider_name: str
    ods_code: str
    indicator_code: str
    indicator_name: str
    period: dt.date
    detail: str
    url: str
    frequency: str = periods.MONTHLY

    @property
    def kind_label(self) -> str:
        return SIGNAL_KINDS[self.kind]

    @property
    def period_label(self) -> str:
        """The period as people name it: "March 2019", "Q3 2018-19 (October to December 2018)"."""
        return periods.label(self.period, self.frequency, long=True)


SIGNAL_KINDS = {
    "concern": "Special cause concern",
    "target": "Target missed",
    "peer": "Outlier against peers",
}


def data_period_loaded_by(provider_ids, when: dt.datetime) -> dt.date | None:
    """The latest period of data loaded for these providers by `when` (None: none yet): what
    a meeting held then could have seen. Meetings read their signal window from it."""
    return (
        Observation.objects.filter(provider_id__in=list(provider_ids), updated_at__lte=when)
        .aggregate(m=Max("period"))
        .get("m")
    )


# The signal window of a QSG's next meeting: the meetings layer registers how it is found
# (surveillance.meetings.agenda_signals.next_meeting_window), so that the signals page shows by
# default what that meeting's agenda proposes. fn(user, qsg) -> dict(since, until, meeting,
# sentence) or None.
_MEETING_WINDOW: list = []


def register_meeting_window(fn) -> None:
    _MEETING_WINDOW[:] = [fn]


def meeting_window(user, qsg: QSG) -> dict | None:
    return _MEETING_WINDOW[0](user, qsg) if _MEETING_WINDOW else None


def latest_data_month(user=None, qsg: QSG | None = None) -> dt.date | None:
    """The latest month with data in the country (from the national aggregates)."""
    return PeerStat.objects.filter(group=PeerStat.NATIONAL).aggregate(m=Max("period")).get("m")


def signals_since(user, qsg: QSG, since: dt.date) -> list[Signal]:
    """Signals for the providers of a QSG's footprint that the user may see, from `since` on.

    * concern: a point of special cause concern in a period ending on or after `since`;
    * target: the latest value (on or after `since`) misses the indicator's target;
    * peer: the latest value (on or after `since`) is outside the 99.8% limits against the
      national group or the sector's peers, on the side of concern (either side if neutral).
    Raises Http404 if the user may not see the QSG. Ordered by provider, then indicator.
    """
    qsg = qsg_access.qsg_for_user(user, qsg.pk)
    provider_ids = list(access.scope_providers(user, qsg).values_list("pk", flat=True))
    return _signals(provider_ids, since)


def _footprints(user, qsgs: list[QSG]) -> dict[int, set[int]]:
    """The providers the user may see in each group's footprint, in one query (UNION ALL)."""
    visible = qsg_access.providers_for(user)
    parts = [
        visible.filter(qsg_access.in_footprint(q))
        .annotate(group=Value(q.pk, output_field=IntegerField()))
        .values_list("pk", "group")
        .order_by()
        for q in qsgs
    ]
    footprints: dict[int, set[int]] = {q.pk: set() for q in qsgs}
    for provider_id, group in parts[0].union(*parts[1:], all=True):
        footprints[group].add(provider_id)
    return footprints


def signals_since_by_qsg(user, qsgs: list[QSG], since: dt.date) -> dict[int, list[Signal]]:
    """`signals_since` for several of the user's QSGs (rows from `qsg.access.visible_qsgs`) in
    two queries whatever their number: the providers the user may see in each footprint (one
    UNION ALL), then the signals of them all, shared out by footprint."""
    if not qsgs:
        return {}
    footprints = _footprints(user, qsgs)
    found = _signals(sorted(set().union(*footprints.values())), since)
    return {q: [g for g in found if g.provider_id in ids] for q, ids in footprints.items()}


def signal_counts_by_qsg(user, qsgs: list[QSG], since: dt.date) -> dict[int, dict[str, int]]:
    """How many of each kind `signals_since_by_qsg` gives each group, without making the
    signals (their words and links): the home page's panel shows the counts only. The same
    two queries, the same rules (`_kinds`)."""
    if not qsgs:
        return {}
    footprints = _footprints(user, qsgs)
    provider_ids = sorted(set().union(*footprints.values()))
    starts = _starts(since)
    rows = _candidates(provider_ids, starts).values_list(
        "provider_id",
        "indicator__frequency",
        "indicator__improvement_direction",
        "latest_period",
        "target_missed",
        "last_concern_period",
        "national_flag",
        "peer_flag",
    )
    kinds_of: dict[int, list[str]] = {}
    for provider_id, frequency, direction, latest, missed, concern, national, peer in rows:
        start = starts.get(frequency, since)
        kinds_of.setdefault(provider_id, []).extend(
            _kinds(start, latest, missed, concern, national, peer, direction)
        )
    out = {}
    for qsg_id, ids in footprints.items():
        counts = dict.fromkeys(SIGNAL_KINDS, 0)
        for provider_id in ids:
            for kind in kinds_of.get(provider_id, ()):
                counts[kind] += 1
        out[qsg_id] = counts
    return out


def _starts(since: dt.date) -> dict[str, dt.date]:
    """A period counts from `since` if it ends on or after it: a quarter from its first day."""
    return {f: periods.earliest_overlapping(since, f) for f in periods.FREQUENCIES}


def _candidates(provider_ids: list[int], starts: dict[str, dt.date]):
    """Series that may carry a signal from `starts` on (`_kinds` says which)."""
    current = Q()
    for frequency, start in starts.items():
        current |= Q(indicator__frequency=frequency, latest_period__gte=start)
    concern = Q()
    for frequency, start in starts.items():
        concern |= Q(indicator__frequency=frequency, last_concern_period__gte=start)
    return summaries().filter(
        concern
        | (current & (Q(target_missed=True) | Q(national_flag__in=peers.OUTLIER_FLAGS)
                      | Q(peer_flag__in=peers.OUTLIER_FLAGS))),
        provider_id__in=provider_ids,
        n_points__gt=0,
    )  # fmt: skip


def _is_concern(start: dt.date, last_concern_period) -> bool:
    return bool(last_concern_period) and last_concern_period >= start


def _is_target(start: dt.date, latest_period, target_missed) -> bool:
    return latest_period >= start and bool(target_missed)


def _peer_flags(start: dt.date, latest_period, national_flag, peer_flag, direction) -> list[str]:
    """Which of "national", "sector peers" make a peer signal: outliers on the side of concern
    (either side if neutral)."""
    if latest_period < start:
        return []
    return [
        label
        for label, flag in (("national", national_flag), ("sector peers", peer_flag))
        if peers.is_outlier(flag) and peers.flag_meaning(flag, direction) in ("concern", "neutral")
    ]


def _kinds(start, latest_period, target_missed, last_concern, national, peer, direction):
    """The kinds of signal one series gives from `start` on (the rules of `_signals`)."""
    kinds = []
    if _is_concern(start, last_concern):
        kinds.append("concern")
    if _is_target(start, latest_period, target_missed):
        kinds.append("target")
    if _peer_flags(start, latest_period, national, peer, direction):
        kinds.append("peer")
    return kinds


def _signals(provider_ids: list[int], since: dt.date) -> list[Signal]:
    found: list[Signal] = []

    def add(s: SpcSeries, kind: str, period: dt.date, detail: str) -> None:
        found.append(
            Signal(
                kind=kind,
                provider_id=s.provider_id,
                provider_name=s.provider.name,
                ods_code=s.provider.ods_code,
                indicator_code=s.indicator.code,
                indicator_name=s.indicator.name,
                period=period,
                detail=detail,
                url=reverse("dashboard:series", args=[s.provider_id, s.indicator.code]),
                frequency=s.indicator.frequency,
            )
        )

    starts = _starts(since)
    rows = list(_candidates(provider_ids, starts).select_related("provider", "indicator"))

    def since_of(s: SpcSeries) -> dt.date:
        return starts.get(s.indicator.frequency, since)

    for s in (r for r in rows if _is_concern(since_of(r), r.last_concern_period)):
        add(s, "concern", s.last_concern_period, s.last_concern_label)
    for s in (r for r in rows if _is_target(since_of(r), r.latest_period, r.target_missed)):
        unit = s.indicator.unit
        add(
            s,
            "target",
            s.latest_period,
            f"{charts.format_value(s.latest_value, unit)} against a target of "
            f"{charts.format_value(s.target, unit)}; "
            f"{charts.ASSURANCE_TEXT.get(s.assurance, '').lower()}",
        )
    for s in rows:
        labels = _peer_flags(
            since_of(s),
            s.latest_period,
            s.national_flag,
            s.peer_flag,
            s.indicator.improvement_direction,
        )
        values = {"national": (s.national_flag, s.national_value)}
        values["sector peers"] = (s.peer_flag, s.peer_value)
        parts = [
            f"{peers.FLAG_LABELS[values[label][0]]} around the {label} value of "
            f"{charts.format_value(values[label][1], s.indicator.unit)}"
            for label in labels
        ]
        if parts:
            add(
                s,
                "peer",
                s.latest_period,
                f"{charts.format_value(s.latest_value, s.indicator.unit)}: " + "; ".join(parts),
            )
    found.sort(key=lambda g: (g.provider_name, g.indicator_code, g.kind))
    return found
