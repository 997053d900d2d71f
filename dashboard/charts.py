"""SPC charts and Making Data Count style icons as SVG strings: pure functions, no Django.

The same SVG goes into web pages and into PDFs rendered by WeasyPrint, so it depends on no site
stylesheet: every colour, size and font is an attribute, and every <text> names its font family.
The icons are drawn here (a coloured ring with a letter and an arrow), not copied from NHS
England's icon files; each has a text alternative.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from html import escape

FONT = "Arial, Helvetica, Liberation Sans, sans-serif"
TEXT = "#212b32"
GRID = "#d8dde0"
AXIS = "#4c6272"
LINE = "#768692"
MEAN = "#212b32"
LIMIT = "#4c6272"
TARGET = "#d5281b"
REBASE = "#330072"
COLOURS = {
    "special_cause_concern": "#ED8B00",
    "special_cause_improvement": "#41B6E6",
    "special_cause_neutral_high": "#490092",
    "special_cause_neutral_low": "#490092",
    "common_cause": "#A6A6A6",
}
POINT_TEXT = {
    "special_cause_concern": "special cause concern",
    "special_cause_improvement": "special cause improvement",
    "special_cause_neutral_high": "special cause, neither (high)",
    "special_cause_neutral_low": "special cause, neither (low)",
    "common_cause": "common cause",
}
VARIATION_TEXT = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause improvement (high)",
    "improvement_low": "Special cause improvement (low)",
    "concern_high": "Special cause concern (high)",
    "concern_low": "Special cause concern (low)",
    "neutral_high": "Special cause variation, neither better nor worse (high)",
    "neutral_low": "Special cause variation, neither better nor worse (low)",
}
ASSURANCE_TEXT = {
    "consistent_pass": "Consistently meets the target",
    "consistent_fail": "Consistently misses the target",
    "inconsistent": "Hit and miss: the target may or may not be met",
    "": "No target",
}
_VARIATION_COLOUR = {
    "common_cause": "#768692",
    "improvement_high": "#41B6E6",
    "improvement_low": "#41B6E6",
    "concern_high": "#ED8B00",
    "concern_low": "#ED8B00",
    "neutral_high": "#490092",
    "neutral_low": "#490092",
}
_ASSURANCE_COLOUR = {
    "consistent_pass": "#41B6E6",
    "consistent_fail": "#ED8B00",
    "inconsistent": "#768692",
}


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def format_value(value: float | None, unit: str = "") -> str:
    """A value as people read it: 12.3%, 0.95, 4.1 per 1000 bed days."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no value"
    if unit == "count" and float(value).is_integer():  # 1,874 patients, not 1,874.0
        return f"{int(value):,}"
    magnitude = abs(value)
    digits = 1 if magnitude >= 10 else 2 if magnitude >= 1 else 3
    text = f"{value:,.{digits}f}"
    if unit == "percent":
        return f"{text}%"
    if unit.startswith("per "):
        return f"{text} {unit}"
    return text


# Charts -----------------------------------------------------------------------------------------


@dataclass
class ChartSeries:
    """What one chart shows. Lists align by point; limits may be None (too few points)."""

    title: str
    periods: list[dt.date]
    values: list[float]
    point_types: list[str]
    means: list[float | None]
    lpls: list[float | None]
    upls: list[float | None]
    rebase_groups: list[int] = field(default_factory=list)
    target: float | None = None
    unit: str = ""
    description: str = ""
    frequency: str = "monthly"
    provisional: list[bool] = field(default_factory=list)
    # Labels of the lines between rebase groups ("Rebased" when not given), in order.
    boundaries: list[str] = field(default_factory=list)


def _nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if not math.isfinite(lo) or not math.isfinite(hi):
        return []
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = math.floor(lo / step) * step
    ticks = []
    v = start
    while v <= hi + step * 0.001:
        ticks.append(round(v, 10))
        v += step
    return ticks


def _period_label(d: dt.date, frequency: str = "monthly") -> str:
    from .periods import label

    return label(d, frequency)


def _present(v) -> bool:
    return v is not None and math.isfinite(v)


def spc_chart_svg(
    chart: ChartSeries, *, width: int = 720, height: int = 300, chart_id: str = "spc"
) -> str:
    """An XmR chart: data, mean, process limits, target, rebase lines, coloured special causes.

    The SVG is as wide as its container (a page column, or a PDF page's text width), keeping
    the proportions of `width` x `height`."""
    n = len(chart.values)
    left, right, top, bottom, legend = 64, 16, 16, 44, 26
    plot_w = width - left - right
    plot_h = height - top - bottom - legend
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="{FONT}">'
        f'<title id="{title_id}">{escape(chart.title)}</title>'
        f'<desc id="{desc_id}">{escape(chart.description or chart.title)}</desc>'
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
    )
    if n == 0:
        return (
            head
            + f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-family="{FONT}" '
            f'font-size="14" fill="{TEXT}">No data</text></svg>'
        )
    finite = [v for v in chart.values if _present(v)]
    if not finite:
        return (
            head
            + f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-family="{FONT}" '
            f'font-size="14" fill="{TEXT}">No data</text></svg>'
        )
    extra = [
        v for v in [*chart.lpls, *chart.upls, chart.target] if v is not None and math.isfinite(v)
    ]
    lo, hi = min(finite + extra), max(finite + extra)
    if chart.unit == "percent" or (lo >= 0 and min(finite) >= 0):
        lo = max(lo, 0.0) if lo >= 0 else lo
    pad = (hi - lo) * 0.08 or (abs(hi) * 0.1 or 1.0)
    lo, hi = lo - pad, hi + pad
    if min(finite) >= 0 and lo < 0:
        lo = 0.0
    ticks = _nice_ticks(lo, hi)
    if ticks:
        lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    parts = [head]
    # grid and y axis
    for t in ticks:
        yy = y(t)
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{_f(yy)}" y2="{_f(yy)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{_f(yy + 4)}" text-anchor="end" font-family="{FONT}" '
            f'font-size="11" fill="{TEXT}">{escape(_tick_label(t, chart.unit))}</text>'
        )
    parts.append(
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="{AXIS}"/>'
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="{AXIS}"/>'
    )
    # x labels
    step = max(1, math.ceil(n / 8))
    for i in range(0, n, step):
        parts.append(
            f'<text x="{_f(x(i))}" y="{top + plot_h + 16}" text-anchor="middle" '
            f'font-family="{FONT}" font-size="11" fill="{TEXT}">'
            f"{escape(_period_label(chart.periods[i], chart.frequency))}</text>"
        )
    # segments of constant limits (rebase groups)
    groups = chart.rebase_groups or [0] * n
    seg_start, boundary = 0, 0
    for i in range(1, n + 1):
        if i == n or groups[i] != groups[seg_start]:
            parts.append(_segment(chart, seg_start, i, x, y, plot_w / n))
            if i < n:
                xx = (x(i - 1) + x(i)) / 2
                text = chart.boundaries[boundary] if boundary < len(chart.boundaries) else "Rebased"
                boundary += 1
                parts.append(
                    f'<line x1="{_f(xx)}" x2="{_f(xx)}" y1="{top}" y2="{top + plot_h}" '
                    f'stroke="{REBASE}" stroke-width="1.5" stroke-dasharray="2 3"/>'
                    f'<text x="{_f(xx + 3)}" y="{top + 10}" font-family="{FONT}" font-size="10" '
                    f'fill="{REBASE}">{escape(text)}</text>'
                )
            seg_start = i
    if chart.target is not None and math.isfinite(chart.target) and lo <= chart.target <= hi:
        ty = _f(y(chart.target))
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{ty}" y2="{ty}" stroke="{TARGET}" '
            f'stroke-width="1.5" stroke-dasharray="8 4"/>'
        )
    # the data line and points; a missing period breaks the line (a gap, not a bridge)
    steps, pen_down = [], False
    for i, v in enumerate(chart.values):
        if not _present(v):
            pen_down = False
            continue
        steps.append(f"{'L' if pen_down else 'M'}{_f(x(i))},{_f(y(v))}")
        pen_down = True
    parts.append(f'<path d="{" ".join(steps)}" fill="none" stroke="{LINE}" stroke-width="1.5"/>')
    for i, v in enumerate(chart.values):
        if not _present(v):
            parts.append(
                f'<text x="{_f(x(i))}" y="{top + plot_h - 4}" text-anchor="middle" '
                f'font-family="{FONT}" font-size="10" fill="{AXIS}">no data</text>'
            )
            continue
        kind = chart.point_types[i]
        special = kind != "common_cause"
        colour = COLOURS.get(kind, COLOURS["common_cause"])
        if i < len(chart.provisional) and chart.provisional[i]:
            # provisional: a hollow point in the reading's colour
            parts.append(
                f'<circle cx="{_f(x(i))}" cy="{_f(y(v))}" r="4" fill="#ffffff" '
                f'stroke="{colour if special else LINE}" stroke-width="2"/>'
            )
            continue
        parts.append(
            f'<circle cx="{_f(x(i))}" cy="{_f(y(v))}" r="{4.5 if special else 3}" '
            f'fill="{colour}" '
            f'stroke="{TEXT if special else "#ffffff"}" stroke-width="{1 if special else 0.5}"/>'
        )
    parts.append(_legend(chart, left, height - legend + 4, width - right))
    parts.append("</svg>")
    return "".join(parts)


def _tick_label(v: float, unit: str) -> str:
    text = f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.0f}"
    return f"{text}%" if unit == "percent" else text


def _segment(chart: ChartSeries, a: int, b: int, x, y, slot: float) -> str:
    out = []
    x0, x1 = x(a) - slot * 0.4, x(b - 1) + slot * 0.4
    mean, lpl, upl = chart.means[a], chart.lpls[a], chart.upls[a]
    if mean is not None and math.isfinite(mean):
        out.append(
            f'<line x1="{_f(x0)}" x2="{_f(x1)}" y1="{_f(y(mean))}" y2="{_f(y(mean))}" '
            f'stroke="{MEAN}" stroke-width="1.5"/>'
        )
    for limit in (lpl, upl):
        if limit is not None and math.isfinite(limit):
            out.append(
                f'<line x1="{_f(x0)}" x2="{_f(x1)}" y1="{_f(y(limit))}" y2="{_f(y(limit))}" '
                f'stroke="{LIMIT}" stroke-width="1.2" stroke-dasharray="5 4"/>'
            )
    return "".join(out)


def _legend(chart: ChartSeries, x0: int, y0: float, x_max: int = 10**6) -> str:
    items = [
        ("circle", COLOURS["special_cause_concern"], "Concern"),
        ("circle", COLOURS["special_cause_improvement"], "Improvement"),
        ("circle", COLOURS["special_cause_neutral_high"], "Neither"),
        ("circle", COLOURS["common_cause"], "Common cause"),
        ("line", MEAN, "Mean"),
        ("dash", LIMIT, "Process limits"),
    ]
    if chart.target is not None:
        items.append(("target", TARGET, "Target"))
    if any(chart.provisional):
        items.append(("hollow", LINE, "Provisional"))

    def offset(shape: str) -> int:
        return 14 if shape in ("circle", "hollow") else 20

    def step(shape: str, label: str) -> int:
        return offset(shape) + 6 * len(label) + 14

    # eight items (a target and provisional points) start further left, so that all fit
    cx = min(x0, max(4, x_max - sum(step(shape, label) for shape, _, label in items)))
    out = []
    for shape, colour, label in items:
        if shape == "hollow":
            out.append(
                f'<circle cx="{cx + 5}" cy="{_f(y0 + 6)}" r="4" fill="#ffffff" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
        elif shape == "circle":
            out.append(
                f'<circle cx="{cx + 5}" cy="{_f(y0 + 6)}" r="4.5" fill="{colour}" '
                f'stroke="{TEXT}" stroke-width="1"/>'
            )
        else:
            dash = {"dash": ' stroke-dasharray="5 4"', "target": ' stroke-dasharray="8 4"'}.get(
                shape, ""
            )
            out.append(
                f'<line x1="{cx}" x2="{cx + 16}" y1="{_f(y0 + 6)}" y2="{_f(y0 + 6)}" '
                f'stroke="{colour}" stroke-width="1.5"{dash}/>'
            )
        out.append(
            f'<text x="{cx + offset(shape)}" y="{_f(y0 + 10)}" font-family="{FONT}" '
            f'font-size="11" fill="{TEXT}">{escape(label)}</text>'
        )
        cx += step(shape, label)
    return "".join(out)


# Icons ----------------------------------------------------------------------------------------


def _arrow(up: bool, colour: str) -> str:
    if up:
        return f'<path d="M24 5 L29 12 L19 12 Z" fill="{colour}"/>'
    return f'<path d="M24 27 L29 20 L19 20 Z" fill="{colour}"/>'


def _icon_body(kind: str, code: str) -> tuple[str, str]:
    """(inner SVG, label) of an icon in a 32 x 32 box."""
    if kind == "variation":
        colour = _VARIATION_COLOUR.get(code, "#768692")
        label = VARIATION_TEXT.get(code, "No SPC result")
        ring = (
            f'<circle cx="16" cy="16" r="13.5" fill="#ffffff" stroke="{colour}" stroke-width="3"/>'
        )
        if code == "common_cause" or code not in _VARIATION_COLOUR:
            inner = (
                f'<path d="M7 17 L11 13 L15 19 L19 13 L23 19 L25 16" fill="none" '
                f'stroke="{colour}" stroke-width="2" stroke-linejoin="round"/>'
            )
        else:
            letter = "H" if code.endswith("_high") else "L"
            inner = (
                f'<text x="14" y="21" text-anchor="middle" font-family="{FONT}" '
                f'font-size="14" font-weight="bold" fill="{TEXT}">{letter}</text>'
                + _arrow(code.endswith("_high"), colour)
            )
        return ring + inner, label
    colour = _ASSURANCE_COLOUR.get(code, "#768692")
    label = ASSURANCE_TEXT.get(code, "No target")
    letter = {"consistent_pass": "P", "consistent_fail": "F", "inconsistent": "?"}.get(code, "")
    ring = (
        f'<circle cx="16" cy="16" r="13.5" fill="#ffffff" stroke="{colour}" stroke-width="3" '
        f'stroke-dasharray="{"4 2.5" if code == "inconsistent" else "none"}"/>'
    )
    inner = (
        f'<text x="16" y="21" text-anchor="middle" font-family="{FONT}" font-size="15" '
        f'font-weight="bold" fill="{TEXT}">{letter}</text>'
    )
    return ring + inner, label


def icon_svg(kind: str, code: str, *, size: int = 32, css_class: str = "") -> str:
    """A whole icon (`kind` is 'variation' or 'assurance'), with its label as text alternative."""
    body, label = _icon_body(kind, code)
    cls = f' class="{css_class}"' if css_class else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="{size}" '
        f'height="{size}" role="img" aria-label="{escape(label)}" focusable="false"{cls}>'
        f"<title>{escape(label)}</title>{body}</svg>"
    )


def icon_symbols() -> str:
    """Every icon once, as <symbol>s, for pages that show many (see icon_use)."""
    symbols = []
    for code in VARIATION_TEXT:
        body, _ = _icon_body("variation", code)
        symbols.append(f'<symbol id="mdc-variation-{code}" viewBox="0 0 32 32">{body}</symbol>')
    for code in ("consistent_pass", "consistent_fail", "inconsistent"):
        body, _ = _icon_body("assurance", code)
        symbols.append(f'<symbol id="mdc-assurance-{code}" viewBox="0 0 32 32">{body}</symbol>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" hidden="hidden" aria-hidden="true" focusable="false">'
        + "".join(symbols)
        + "</svg>"
    )


def icon_use(kind: str, code: str, *, size: int = 28, css_class: str = "app-icon-spc") -> str:
    """A small icon referring to icon_symbols(), with its label as text alternative."""
    if kind == "assurance" and not code:
        return ""
    label = (VARIATION_TEXT if kind == "variation" else ASSURANCE_TEXT).get(code, "")
    if not label:
        return ""
    return (
        f'<svg class="{css_class}" width="{size}" height="{size}" viewBox="0 0 32 32" role="img" '
        f'aria-label="{escape(label)}" focusable="false"><use href="#mdc-{kind}-{code}"/></svg>'
    )
