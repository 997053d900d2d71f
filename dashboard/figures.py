"""The SPC figures of a provider's page (a chart and its data table), drawn once per result.

A figure shows one series' stored result, its indicator and its provider's name, and nothing
about the person looking: the view has already decided that they may see the provider (not
visible: 404 before any figure is read), and everyone who may see it sees the same figure.
Drawing 27 of them (SVG, and a table of every point for screen readers) was most of the
provider page's time, so each is cached under its series id and computed revision plus a digest
of everything it is drawn from: the packed points and groups, the result fields it shows, the
indicator's and the provider's names, and the code and template that draw it. A recompute that
changes a stored result, a renamed indicator or provider, or a new release changes the key, so
a stale figure is never read again (it expires); a cache that is down only means drawing again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import zlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from markupsafe import Markup

from .models import Indicator, SpcSeries

# A day: a provider's charts are read around its QSG's meetings; a recompute replaces them.
TIMEOUT = 24 * 3600
TEMPLATE = "dashboard/_spc_figure.jinja"
# What each figure is drawn from, beside the packed points and groups.
SERIES_FIELDS = (
    "pk", "computed_revision", "n_points", "latest_value", "mean", "lpl", "upl", "target",
    "variation", "assurance", "short_group",
)  # fmt: skip
INDICATOR_FIELDS = ("name", "unit", "frequency")


@functools.cache
def _code_digest() -> str:
    """The code and templates that draw a figure: a release that changes them draws anew."""
    from . import charts, periods, results, selectors, ui

    h = hashlib.blake2b(digest_size=8)
    for module in (charts, periods, results, selectors, ui):
        h.update(Path(module.__file__).read_bytes())
    for name in ("_macros.jinja", "_spc_figure.jinja"):
        h.update((Path(settings.BASE_DIR) / "templates" / "dashboard" / name).read_bytes())
    return h.hexdigest()


def key(series: SpcSeries, indicator: Indicator, provider_name: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(bytes(series.points))
    h.update(
        json.dumps(
            [
                series.groups,
                [getattr(series, f) for f in SERIES_FIELDS],
                [getattr(indicator, f) for f in INDICATOR_FIELDS],
                provider_name,
            ],
            default=str,
        ).encode()
    )
    return (
        f"dashboard:figure:{series.pk}:{series.computed_revision}:{_code_digest()}:{h.hexdigest()}"
    )


def draw(series: SpcSeries, indicator: Indicator, provider_name: str) -> Markup:
    """A figure drawn from the stored result (dashboard/_macros.jinja: spc_figure)."""
    from . import selectors, ui

    points, svg = selectors.chart_for(series, indicator, provider_name=provider_name)
    html = get_template(TEMPLATE).render(
        {"ui": ui, "series": series, "indicator": indicator, "points": points, "svg": svg}
    )
    return Markup(html)  # noqa: S704 (rendered by our own template, autoescaped)


def figures(series: list[SpcSeries], provider_name: str) -> list[Markup]:
    """The figure of each series (with its indicator, points and groups loaded), in order."""
    keys = [key(s, s.indicator, provider_name) for s in series]
    found = cache.get_many(keys)
    out, missed = [], {}
    for s, k in zip(series, keys, strict=True):
        packed = found.get(k)
        if packed is None:
            figure = draw(s, s.indicator, provider_name)
            missed[k] = zlib.compress(figure.encode(), 1)
        else:
            figure = Markup(zlib.decompress(packed).decode())  # noqa: S704 (as drawn above)
        out.append(figure)
    if missed:
        cache.set_many(missed, TIMEOUT)
    return out
