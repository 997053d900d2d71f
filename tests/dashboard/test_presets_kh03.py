"""KH03 as NHS England publishes it: a workbook whose "NHS Trust by Sector" sheet has a title
block above the table, group headings (Available, Occupied, % Occupied) over a header row at row
15, the England row first, and notes below; other sheets around it. Built here with openpyxl in
that layout (numbers made up); uploaded as downloaded, recognised, previewed, then loaded."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dashboard import importing, presets
from dashboard.models import Observation, PendingUpload

pytestmark = pytest.mark.django_db

SECTORS = ["Total", "General & Acute", "Learning Disabilities", "Maternity", "Mental Illness"]


def kh03_workbook(rows, *, header_row: int = 15) -> bytes:
    """rows: (year, period end, region, code, name, available G&A, occupied G&A)."""
    book = openpyxl.Workbook()
    book.active.title = "Contents"
    book.active["A1"] = "Bed Availability and Occupancy Data - Overnight"
    sheet = book.create_sheet("NHS Trust by Sector")
    title = [
        ("Title:", "Bed Availability and Occupancy Data - Overnight"),
        ("Summary:", "Average daily number of available and occupied beds open overnight"),
        ("Period:", "Quarter 3, 2018-19"), ("Source:", "KH03"), ("Basis:", "Provider"),
        ("Published:", "21 February 2019"), ("Revised:", "-"), ("Status:", "Published"),
        ("Contact:", "england.kh03@nhs.net"),
    ]  # fmt: skip
    for i, (key, text) in enumerate(title, start=2):
        sheet.cell(i, 2, key)
        sheet.cell(i, 3, text)
    groups = header_row - 1
    for column, group in ((7, "Available"), (13, "Occupied"), (19, "% Occupied")):
        sheet.cell(groups, column, group)
        sheet.merge_cells(
            start_row=groups, start_column=column, end_row=groups, end_column=column + 4
        )
    for column, name in enumerate(["Year", "Period End", "Region Code", "Org Code", "Org Name"], 2):
        sheet.cell(header_row, column, name)
    for start in (7, 13, 19):
        for offset, name in enumerate(SECTORS):
            sheet.cell(header_row, start + offset, name)
    england = ("2018-19", "December", "", "", "England", 100000.0, 90000.0)
    line = header_row + 1
    for row in [england, None, *rows]:
        if row is not None:
            year, end, region, code, name, available, occupied = row
            for column, value in enumerate([year, end, region, code, name], 2):
                sheet.cell(line, column, value)
            for start, values in ((7, available), (13, occupied)):
                sheet.cell(line, start, values)  # the total: G&A alone here
                sheet.cell(line, start + 1, values)
                sheet.cell(line, start + 3, 12.0)  # maternity beds, not read
            if available:
                sheet.cell(line, 19, occupied / available)
        line += 1
    sheet.cell(line + 1, 2, "Notes: figures are average daily beds open overnight.")
    book.create_sheet("Occupied by Specialty")["A1"] = "By specialty"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def kh03_file() -> bytes:
    return kh03_workbook(
        [
            ("2018-19", "December", "Y63", "RAA", "ALPHA GENERAL HOSPITAL NHS TRUST", 812.0, 745.5),
            ("2018-19", "December", "Y63", "RAB", "ALPHA COMMUNITY NHS TRUST", 0.0, 0.0),
            ("2018-19", "December", "Y56", "RZZ", "SOMEWHERE ELSE NHS TRUST", 400.0, 380.0),
        ]
    )


def test_the_sheet_is_found_below_its_title_block():
    sheet = presets.by_key("kh03-overnight").sheet
    content = kh03_file()
    assert importing.sheet_names(content)[:2] == ["Contents", "NHS Trust by Sector"]
    frame = next(importing.read_table(content, "beds.xlsx", sheet=sheet))
    assert {"Org Code", "Available General & Acute", "Occupied General & Acute",
            "% Occupied General & Acute", "Available Total"} <= set(frame.columns)  # fmt: skip
    assert frame["_row"].iloc[0] == 16  # the England row, under the header at row 15
    rows, notes = presets.by_key("kh03-overnight").build(frame)
    assert list(rows["provider"]) == ["RAA", "RZZ"]
    assert set(rows["period"]) == {"2018-10-01"}  # Q3 2018-19 ends in December
    assert notes["left_out"]["the England total"] == 1
    assert notes["left_out"]["no general and acute beds"] == 1


@pytest.mark.parametrize(
    ("year", "end", "start"),
    [("2018-19", "March", "2019-01-01"), ("2018-19", "June", "2018-04-01"),
     ("2016-17", "2016-09-30", "2016-07-01"), ("2018-19", "Smarch", ""), ("Note", "March", "")],
)  # fmt: skip
def test_financial_year_quarters_from_year_and_period_end(year, end, start):
    import pandas as pd

    assert presets._quarter_start(pd.Series([year]), pd.Series([end])).iloc[0] == start


def test_kh03_workbook_preview_then_confirm(cast, client_for, django_capture_on_commit_callbacks):
    client = client_for("member_b")
    form = client.get("/dashboard/imports/new/").content.decode()
    token = form.split('name="form_token" value="')[1].split('"')[0]
    name = "Beds-Open-Overnight-Web_File-Final-Q3-2018-19.xlsx"
    response = client.post(
        "/dashboard/imports/new/",
        {"file": SimpleUploadedFile(name, kh03_file()), "form_token": token},
    )
    assert response.status_code == 302 and "/imports/preview/" in response["Location"]
    assert not Observation.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "KH03 bed availability and occupancy" in page
    assert "Bed occupancy" in page and "RZZ" in page and "the England total" in page
    assert "Q3 2018-19" in page  # the period as the matrix names it
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(response["Location"], {})
    assert done.status_code == 302, done.content.decode()[-3000:]
    assert not PendingUpload.objects.exists()
    obs = Observation.objects.get(indicator__code="BED_OCCUPANCY")
    assert obs.provider.ods_code == "RAA" and str(obs.period) == "2018-10-01"
    assert (obs.numerator, obs.denominator) == (745.5, 812.0)
    assert obs.value == pytest.approx(745.5 / 812.0 * 100)


def test_a_workbook_without_the_header_goes_to_the_column_mapping(cast, client_for):
    client = client_for("member_b")
    form = client.get("/dashboard/imports/new/").content.decode()
    token = form.split('name="form_token" value="')[1].split('"')[0]
    book = openpyxl.Workbook()
    book.active.title = "NHS Trust by Sector"
    book.active.append(["Trust", "Quarter", "Beds"])
    book.active.append(["RAA", "2018-19 Q3", "5"])
    out = io.BytesIO()
    book.save(out)
    page = client.post(
        "/dashboard/imports/new/",
        {"file": SimpleUploadedFile("beds.xlsx", out.getvalue()), "form_token": token},
    )
    body = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in body
    assert "column mapping" in body and not PendingUpload.objects.exists()


def test_a_real_quarter_in_the_published_layout_reads_as_the_published_figures():
    """Q3 2018-19 of the real KH03 return (shared/data, tidied from NHS England's workbooks),
    put back into the workbook's layout: the preset reads every trust's general and acute
    beds exactly."""
    import pandas as pd

    from qsg.demo import shared_dir

    raw = pd.read_csv(shared_dir() / "data" / "kh03_overnight_beds.csv", dtype={"org_code": str})
    quarter = raw[(raw["fy_quarter"] == "2018-19 Q3") & (raw["sector"] == "general_and_acute")]
    rows = [
        ("2018-19", "December", "Y00", r.org_code, f"{r.org_code} TRUST", r.beds_available,
         r.beds_occupied)
        for r in quarter.itertuples()
    ]  # fmt: skip
    sheet = presets.by_key("kh03-overnight").sheet
    frame = next(importing.read_table(kh03_workbook(rows), "beds.xlsx", sheet=sheet))
    out, _ = presets.by_key("kh03-overnight").build(frame)
    expected = quarter[quarter["beds_available"] > 0]
    assert len(out) == len(expected) > 100
    got = out.set_index("provider")
    for r in expected.itertuples():
        assert got.loc[r.org_code, "denominator"] == pytest.approx(r.beds_available)
        assert got.loc[r.org_code, "numerator"] == pytest.approx(r.beds_occupied)
    assert set(out["period"]) == {"2018-10-01"} and set(out["indicator"]) == {"BED_OCCUPANCY"}
