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
