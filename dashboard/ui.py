"""Helpers the dashboard's templates call as `ui.<name>(...)`: icons, values, flags."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup

from . import charts, peers, periods


def symbols() -> Markup:
    return Markup(charts.icon_symbols())  # noqa: S704 (our own SVG, no user input)


def variation_icon(code: str, size: int = 28) -> Markup:
    return Markup(charts.icon_use("variation", code, size=size))  # noqa: S704


def assurance_icon(code: str, size: int = 28) -> Markup:
    return Markup(charts.icon_use("assurance", code, size=size))  # noqa: S704


@lru_cache(maxsize=256)
def icons(variation: str, assurance: str, size: int = 28) -> Markup:
    """A series' icons: variation, then assurance if it has a target (the `icons` macro of
    dashboard/_macros.jinja, for pages that show hundreds)."""
    out = variation_icon(variation, size)
    return out + Markup(" ") + assurance_icon(assurance, size) if assurance else out


def svg(text: str) -> Markup:
    """An SVG string made by dashboard.charts (escapes every text it contains)."""
    return Markup(text)  # noqa: S704


def value(v, indicator) -> str:
    return charts.format_value(v, indicator.unit)


def period(day, indicator, long: bool = False) -> str:
    """A period as people name it, at the indicator's frequency: "Mar 2019", "Q3 2018-19"."""
    return _period(day, getattr(indicator, "frequency", periods.MONTHLY), long)


@lru_cache(maxsize=4096)
def _period(day, frequency: str, long: bool) -> str:
    return periods.label(day, frequency, long=long)


def period_heading(indicator) -> str:
    """The column heading for periods of this indicator: Month, Quarter or Year."""
    return periods.noun(getattr(indicator, "frequency", periods.MONTHLY), 1).capitalize()


def variation_text(code: str) -> str:
    return charts.VARIATION_TEXT.get(code, "No result yet")


def assurance_text(code: str) -> str:
    return charts.ASSURANCE_TEXT.get(code, "")


def point_text(code: str) -> str:
    return charts.POINT_TEXT.get(code, code)


FLAG_TAG = {
    "concern": ("nhsuk-tag--orange", "Worse than"),
    "improvement": ("nhsuk-tag--blue", "Better than"),
    "neutral": ("nhsuk-tag--purple", "Different from"),
}
COMPARED_WITH = {"peers": "peers", "national": "national"}


def flag_tag(flag, indicator, label: str = "peers") -> Markup:
    """A small NHS.UK tag for an outlier (peers.is_outlier: outside the 99.8% limits), else
    nothing: "Worse than peers", with the limit for screen readers and on hover."""
    return _flag_tag(flag, indicator.improvement_direction, label)


@lru_cache(maxsize=256)
def _flag_tag(flag, direction: str, label: str) -> Markup:
    meaning = peers.flag_meaning(flag, direction)
    if not peers.is_outlier(flag) or meaning not in FLAG_TAG:
        return Markup("")
    css, text = FLAG_TAG[meaning]
    text = f"{text} {COMPARED_WITH.get(label, label)}"
    full = f"{text}: {peers.FLAG_LABELS[flag]}"
    return Markup(
        '<strong class="nhsuk-tag {css}" title="{full}">{text}'
        '<span class="nhsuk-u-visually-hidden">: {limit}</span></strong>'
    ).format(css=css, full=full, text=text, limit=peers.FLAG_LABELS[flag])


def flag_text(flag, indicator) -> str:
    if flag is None:
        return "No comparison"
    meaning = peers.flag_meaning(flag, indicator.improvement_direction)
    return f"{peers.FLAG_LABELS[flag].capitalize()}" + (
        f" ({meaning})" if meaning in ("concern", "improvement") else ""
    )


def z(value) -> str:
    return "" if value is None else f"{value:+.2f}"
