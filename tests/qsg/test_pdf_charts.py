"""Charts in PDFs: an SVG chart goes in as one image, drawn and tagged as the inline SVG was."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from dashboard.charts import ChartSeries, spc_chart_svg
from qsg import pdf

TITLE = 'Falls "per 1,000" <bed days>: Trust & partners'


def _figures(content: bytes) -> list[str]:
    found: list[str] = []

    def walk(node) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if node.get("/S") == "/Figure":
                found.append(str(node.get("/Alt")))
            kids = node.get("/K")
            for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
                walk(kid)

    walk(PdfReader(io.BytesIO(content)).trailer["/Root"]["/StructTreeRoot"])
    return found


def test_a_chart_image_keeps_its_title_as_alternative_text_and_its_words_as_text():
    n = 12
    chart = ChartSeries(
        title=TITLE,
        periods=[dt.date(2026, m, 1) for m in range(1, n + 1)],
        values=[3.0, 4.0, 5.0, 4.0] * 3,
        point_types=["common"] * n,
        means=[4.0] * n,
        lpls=[1.5] * n,
        upls=[6.5] * n,
    )
    tag = pdf.svg_image(spc_chart_svg(chart, chart_id="t"))
    assert tag.startswith('<img src="data:image/svg+xml;base64,')
    assert "<svg" not in tag and "<title" not in tag  # one element, not the chart's hundred
    html = (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Chart</title>'
        f"</head><body><figure>{tag}</figure></body></html>"
    )
    rendered = pdf.render_pdf(html)
    assert _figures(rendered.content) == [TITLE]
    text = PdfReader(io.BytesIO(rendered.content)).pages[0].extract_text()
    assert "Jan 2026" in text  # the axis labels are drawn as text, not pixels
