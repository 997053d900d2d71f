"""CQC ratings (CQC's spreadsheet of active locations) and NHS Oversight Framework segments on
a provider's page: optional, dated, and only for the service's providers."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from dashboard import context
from dashboard.models import ProviderContext

from .test_presets import _csv

pytestmark = pytest.mark.django_db

CQC_HEADER = [
    "Location ID", "Location Name", "Location ODS Code", "Location Type/Sector",
    "Location Latest Overall Rating", "Publication Date", "Inherited Rating (Y/N)",
    "Location Region", "Location Local Authority",
]  # fmt: skip


def cqc_file() -> bytes:
    return _csv(
        CQC_HEADER,
        [
            ["RAA01", "Alpha General Hospital", "RAAX1", "NHS Healthcare Organisation",
             "Requires improvement", "14/03/2024", "N", "North West", "Manchester"],
            ["RAA02", "Alpha Birth Centre", "RAAX2", "NHS Healthcare Organisation",
             "Good", "02/11/2022", "N", "North West", "Manchester"],
            ["1-999", "Somewhere Else", "RZZX1", "NHS Healthcare Organisation",
             "Inadequate", "01/01/2024", "N", "London", "Camden"],
            ["1-998", "Alpha Dental", "V12345", "Primary Dental Care", "", "", "N", "", ""],
        ],
    )  # fmt: skip


def test_cqc_ratings_and_segment_show_dated_on_the_provider_page(cast, client_for, tmp_path):
    analyst = cast.users["member_b"]
    assert context.load_cqc(actor=analyst, source=cqc_file(), file_name="HSCA.csv") == 2
    path = tmp_path / "nof.csv"
    path.write_bytes(_csv(["ods_code", "segment", "as_of"], [["RAA", "3", "2026-03-31"]]))
    call_command("load_provider_context", "--user", analyst.username, "--nof", str(path))
    page = client_for("member_a").get(f"/dashboard/providers/{cast.providers['provider_a1'].pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "CQC rating: Alpha General Hospital" in body
    assert "Requires improvement, published 14 March 2024" in body
    assert "Good, published 2 November 2022" in body
    assert "Segment 3, published 31 March 2026" in body
    assert "Somewhere Else" not in body
    assert not ProviderContext.objects.filter(ods_code="RZZX1").exists()
    # a provider with nothing loaded shows no such section
    other = client_for("member_a").get(f"/dashboard/providers/{cast.providers['provider_a2'].pk}/")
    assert "Regulator and oversight context" not in other.content.decode()


def test_context_files_are_checked_and_analysts_only(cast):
    analyst = cast.users["member_b"]
    with pytest.raises(ValidationError, match="no column called 'Location ODS Code'"):
        context.load_cqc(actor=analyst, source=b"a,b\n1,2\n", file_name="x.csv")
    with pytest.raises(ValidationError, match="segment from 1 to 5"):
        context.load_nof(
            actor=analyst, source=b"ods_code,segment,as_of\nRAA,7,2026-03-31\n", file_name="n.csv"
        )
    with pytest.raises(PermissionDenied):
        context.load_cqc(actor=cast.users["member_a"], source=cqc_file(), file_name="HSCA.csv")


def test_the_2022_profile_places_recent_data_on_its_own_network(settings):
    from dashboard import demo
    from dashboard.models import Indicator

    demo.note_the_network()
    assert Indicator.objects.get(code="CANCER_62D").notes.startswith(
        "2022-2026 data shown on the 2013"
    )
    settings.QSG_PROFILE = "2022"
    demo.note_the_network()
    assert Indicator.objects.get(code="CANCER_62D").notes == demo.NOTE_2022
    assert Indicator.objects.get(code="AE_4HR").notes != demo.NOTE_2022


CQC_PROVIDER_HEADER = [
    "Provider ID", "Provider ODS Code", "Provider Name", "Provider Type",
    "Provider Primary Inspection Category", "Provider Region", "Service / Population Group",
    "Domain", "Latest Rating", "Publication Date", "Report Type", "Inherited Rating (Y/N)", "URL",
]  # fmt: skip


def cqc_providers_rows():
    def row(code, name, group, domain, rating, published):
        return ["RAA-1", code, name, "NHS Healthcare Organisation", "Acute hospital - NHS",
                "North West", group, domain, rating, published, "Provider", "N", "https://x"]  # fmt: skip

    return [
        row("RAA", "Alpha General NHS Trust", "Overall", "Overall", "Good", "2025-06-12"),
        row("RAA", "Alpha General NHS Trust", "Overall", "Safe", "Inadequate", "2025-06-12"),
        row("RAA", "Alpha General NHS Trust", "Urgent and emergency services", "Overall",
            "Requires improvement", "2024-01-09"),
        row("RZZ", "Somewhere Else NHS Trust", "Overall", "Overall", "Outstanding", "2023-02-01"),
    ]  # fmt: skip


def test_the_trust_rating_is_the_provider_level_row_before_its_locations(cast, client_for):
    import io

    import openpyxl

    analyst = cast.users["member_b"]
    assert context.load_cqc(actor=analyst, source=cqc_file(), file_name="HSCA.csv") == 2
    book = openpyxl.Workbook()
    book.active.title = "Locations"
    book.active.append(["Location ID", "Location Name"])
    sheet = book.create_sheet("Providers")
    sheet.append(["Latest ratings, providers"])  # a note above the table
    sheet.append(CQC_PROVIDER_HEADER)
    for row in cqc_providers_rows():
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    loaded = context.load_cqc(actor=analyst, source=out.getvalue(), file_name="ratings.xlsx")
    assert loaded == 1  # RAA's Overall x Overall row; RZZ is not in this service
    body = (
        client_for("member_a")
        .get(f"/dashboard/providers/{cast.providers['provider_a1'].pk}/")
        .content.decode()
    )
    trust = body.index("CQC overall rating of the trust")
    assert "Good, published 12 June 2025" in body[trust : trust + 300]
    assert "Inadequate" not in body and "Outstanding" not in body
    # its locations' ratings are still there, after it and labelled as locations'
    assert body.index("CQC ratings of its 2 locations") > trust
    assert "Requires improvement, published 14 March 2024" in body
    # loading the locations again replaces the locations only
    context.load_cqc(actor=analyst, source=cqc_file(), file_name="HSCA.csv")
    assert ProviderContext.objects.filter(kind="cqc", place="").count() == 1
    # the Providers sheet saved as CSV reads the same
    csv_file = _csv(CQC_PROVIDER_HEADER, cqc_providers_rows())
    assert context.load_cqc(actor=analyst, source=csv_file, file_name="providers.csv") == 1


def test_nof_segments_from_the_published_csv_are_dated_by_quarter(cast, client_for, tmp_path):
    from .test_presets import NOF_HEADER

    def row(quarter, code, metric, description, date, value):
        return [quarter, "North West", "Acute", "Large", code, "TRUST", "Overall", "Overall",
                metric, description, date, "Segment", value, "", "", "", "12"]  # fmt: skip

    rows = [
        row("Q2 2025/26", "RAA", "OF5000", "Adjusted segment", "Sep-25", "4"),
        row("Q3 2025/26", "RAA", "OF5000", "Adjusted segment", "Dec-25", "3"),
        row("Q3 2025/26", "RAA", "OF4100", "Access to services segment", "Dec-25", "2"),
        row("Q3 2025/26", "RZZ", "OF5000", "Adjusted segment", "Dec-25", "1"),
    ]
    path = tmp_path / "nhs-oversight-framework-acute-trust-data-q3-25-26.csv"
    path.write_bytes(_csv(["Quarter", *NOF_HEADER], rows))
    analyst = cast.users["member_b"]
    call_command("load_provider_context", "--user", analyst.username, "--nof", str(path))
    stored = ProviderContext.objects.filter(kind="nof").order_by("as_of")
    assert [(r.ods_code, r.place, r.label, str(r.as_of)) for r in stored] == [
        ("RAA", "Q2 2025/26", "Segment 4", "2025-09-30"),
        ("RAA", "Q3 2025/26", "Segment 3", "2025-12-31"),
    ]
    body = (
        client_for("member_a")
        .get(f"/dashboard/providers/{cast.providers['provider_a1'].pk}/")
        .content.decode()
    )
    assert "Segment 3 for Q3 2025/26 (the quarter to 31 December 2025)" in body
    assert "Segment 4" not in body
