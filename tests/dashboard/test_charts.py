"""Charts and icons are pure SVG that browsers and WeasyPrint both draw."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import defusedxml.ElementTree as ET

from dashboard import charts
from dashboard.spc.engine import compute

from .helpers import months


def _chart(n=24, target=5.0, rebase_at=None):
    periods = months(dt.date(2017, 1, 1), n)
    values = [3 + (i % 5) * 0.3 + (2.5 if i >= n - 4 else 0) for i in range(n)]
    rebase = [periods[rebase_at]] if rebase_at else None
    r = compute(None, periods, values, improvement="decrease", targets=target, rebase_dates=rebase)
    return charts.ChartSeries(
        title="A&E <experience>",
        periods=periods,
        values=values,
        point_types=r.labels("point_type"),
        means=r.mean.tolist(),
        lpls=r.lpl.tolist(),
        upls=r.upl.tolist(),
        rebase_groups=r.rebase_group.tolist(),
        target=target,
        unit="percent",
        description="Latest value 6.5%",
    )


def test_chart_is_well_formed_accessible_svg_with_fonts_and_mdc_colours():
    svg = charts.spc_chart_svg(_chart(rebase_at=10), chart_id="c1")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{ns}title").text == "A&E <experience>"  # escaped in the source
    texts = root.iter(f"{ns}text")
    assert all(t.get("font-family") for t in texts)
    fills = {c.get("fill") for c in root.iter(f"{ns}circle")}
    assert "#ED8B00" in fills  # the last points are special cause concern
    assert "Rebased" in svg and "Target" in svg
    assert "class=" not in svg, "no dependence on the site stylesheet"


def test_empty_and_flat_series_do_not_break():
    empty = charts.ChartSeries("x", [], [], [], [], [], [])
    assert "No data" in charts.spc_chart_svg(empty)
    flat = charts.ChartSeries(
        "flat", months(dt.date(2019, 1, 1), 3), [5.0] * 3, ["common_cause"] * 3,
        [5.0] * 3, [None] * 3, [None] * 3,
    )  # fmt: skip
    ET.fromstring(charts.spc_chart_svg(flat))


def test_icons_have_text_alternatives():
    for code in charts.VARIATION_TEXT:
        svg = charts.icon_svg("variation", code)
        assert f'aria-label="{charts.VARIATION_TEXT[code]}"' in svg
        ET.fromstring(svg)
    for code in ("consistent_pass", "consistent_fail", "inconsistent"):
        ET.fromstring(charts.icon_svg("assurance", code))
    assert charts.icon_use("assurance", "") == ""
    ET.fromstring(charts.icon_symbols())


def test_format_value():
    assert charts.format_value(12.345, "percent") == "12.3%"
    assert charts.format_value(0.5, "per 1000 bed days") == "0.500 per 1000 bed days"
    assert charts.format_value(None) == "no value"
    assert (
        charts.format_value(1874.0, "count") == "1,874" and charts.format_value(0.0, "count") == "0"
    )
    assert charts.format_value(2.5, "count") == "2.50"


def test_weasyprint_renders_the_chart_and_icons(tmp_path):
    import weasyprint

    assert shutil.which("pdftotext"), "poppler-utils (pdftotext) is needed: .ci/run installs it"
    html = (
        "<html><body><h1>Pack</h1>"
        + charts.spc_chart_svg(_chart(), chart_id="p1")
        + charts.icon_svg("variation", "concern_high")
        + charts.icon_svg("assurance", "consistent_fail")
        + "</body></html>"
    )
    pdf = tmp_path / "chart.pdf"
    weasyprint.HTML(string=html).write_pdf(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Process limits" in text and "Jan 2017" in text
