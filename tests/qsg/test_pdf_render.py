"""Rendering a PDF leaves the garbage collector as it found it (the render freezes it)."""

from __future__ import annotations

import gc

import pytest

from qsg import pdf

HTML = (
    '<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>T</title></head>'
    "<body><p>Text</p></body></html>"
)


def test_render_unfreezes_the_collector_after_a_document():
    assert gc.get_freeze_count() == 0
    assert pdf.render_pdf(HTML).pages == 1
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_render_unfreezes_the_collector_when_it_fails():
    def fail(_percent):
        raise RuntimeError("progress failed")

    with pytest.raises(RuntimeError):
        pdf.render_pdf(HTML, progress=fail)
    assert gc.get_freeze_count() == 0
