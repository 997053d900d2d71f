"""CSV and Excel exports neutralise formula injection (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from qsg import exports
from qsg.text import without_bidi_controls

from .conftest import HOSTILE_SETTINGS


def test_formula_triggers_get_a_leading_quote():
    for cell in ("=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(1)"):
        assert exports.neutralise(cell) == "'" + cell


def test_bidi_controls_are_removed_and_cannot_hide_a_formula():
    assert exports.neutralise("\u202e=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert exports.neutralise("Ward \u2066A\u2069 \u202eevil\u202c") == "Ward A evil"
    assert exports.neutralise("\u200fmark kept") == "\u200fmark kept"


def test_plain_text_and_numbers_are_left_alone():
    assert exports.neutralise("Royal Infirmary") == "Royal Infirmary"
    assert exports.neutralise("") == ""
    assert exports.neutralise(None) is None
    assert exports.neutralise(-5) == -5
    assert exports.neutralise(Decimal("-1.5")) == Decimal("-1.5")
    assert exports.neutralise("-1.5") == "-1.5"
    assert exports.neutralise("+44") == "+44"
    assert exports.neutralise("-1e3") == "-1e3"
    assert exports.neutralise("-1+1") == "'-1+1"
    assert exports.neutralise("a=1") == "a=1"


@given(st.text(max_size=40))
@HOSTILE_SETTINGS
def test_no_exported_text_cell_can_start_a_formula(text):
    out = exports.neutralise(text)
    if out[:1] in exports.TRIGGERS:
        float(out)  # only a plain number may start with + or -
    assert out.endswith(without_bidi_controls(text))
    assert without_bidi_controls(out) == out


@given(st.lists(st.lists(st.text(max_size=20), min_size=1, max_size=4), max_size=5))
@HOSTILE_SETTINGS
def test_csv_text_round_trips_every_cell_defused(rows):
    text = exports.csv_text(["a", "b", "c", "d"], rows)
    back = list(csv.reader(io.StringIO(text)))
    assert back[0] == ["a", "b", "c", "d"]
    for written, read in zip(rows, back[1:], strict=True):
        assert read == [exports.neutralise(c) for c in written]


def test_csv_response_is_an_attachment_with_a_clean_name():
    response = exports.csv_response('bad"name\r\nX-Evil: 1/../x', ["h"], [["=1"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.endswith('.csv"')
    assert "\r" not in disposition and "\n" not in disposition and "/" not in disposition
    assert disposition.count('"') == 2
    assert response.content.decode().splitlines() == ["h", "'=1"]


def test_import_template_download_goes_through_the_neutraliser(cast, client_for):
    response = client_for("member_b").get("/dashboard/imports/template.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == ('attachment; filename="indicator-data-template.csv"')
    assert response.content.decode().splitlines()[0] == (
        "provider,indicator,period,value,numerator,denominator"
    )
