"""NHS England's published layouts, uploaded as downloaded: recognised, previewed, loaded only when
the analyst confirms. Each test file is built in the published layout (column names as NHS
England publishes them, see dashboard.presets); the numbers are made up."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dashboard import presets
from dashboard.models import ImportBatch, Observation, PendingUpload, ProviderContext

pytestmark = pytest.mark.django_db

RTT_HEADER = [
    "Period", "Provider Parent Org Code", "Provider Parent Name", "Provider Org Code",
    "Provider Org Name", "Commissioner Parent Org Code", "Commissioner Parent Name",
    "Commissioner Org Code", "Commissioner Org Name", "RTT Part Type", "RTT Part Description",
    "Treatment Function Code", "Treatment Function Name", *presets.band_columns(), "Total",
    "Patients with unknown clock start date", "Total All",
]  # fmt: skip

AE_HEADER = [
    "Period", "Org Code", "Parent Org", "Org name", "A&E attendances Type 1",
    "A&E attendances Type 2", "A&E attendances Other A&E Department",
    "A&E attendances Booked Appointments Type 1", "A&E attendances Booked Appointments Type 2",
    "A&E attendances Booked Appointments Other Department", "Attendances over 4hrs Type 1",
    "Attendances over 4hrs Type 2", "Attendances over 4hrs Other Department",
    "Attendances over 4hrs Booked Appointments Type 1",
    "Attendances over 4hrs Booked Appointments Type 2",
    "Attendances over 4hrs Booked Appointments Other Department",
    "Patients who have waited 4-12 hs from DTA to admission",
    "Patients who have waited 12+ hrs from DTA to admission",
    "Emergency admissions via A&E - Type 1", "Emergency admissions via A&E - Type 2",
    "Emergency admissions via A&E - Other A&E Department",
    "Other emergency admissions (i.e not via A&E)",
]  # fmt: skip

CWT_HEADER = [
    "PERIOD", "MONTH", "STANDARD", "ORG CODE", "TREATMENT MODALITY", "CANCER TYPE",
    "STAGE/ROUTE", "TOTAL", "WITHIN STANDARD", "BREACHES",
]  # fmt: skip


def _csv(header, rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _rtt_row(period, provider, commissioner, part, function, bands: dict[int, int]):
    values = [str(bands.get(i, "")) for i in range(105)]
    total_all = sum(bands.values())
    return [
        period, "QOP", "NHS GREATER MANCHESTER INTEGRATED CARE BOARD", provider,
        f"{provider} TRUST", "QOP", "NHS GREATER MANCHESTER INTEGRATED CARE BOARD",
        commissioner, "COMMISSIONER", part,
        {"Part_2": "Incomplete Pathways", "Part_1A": "Completed Pathways For Admitted Patients"}[
            part
        ],
        function, "Total" if function == "C_999" else "General Surgery",
        *values, "", "", str(total_all),
    ]  # fmt: skip


def rtt_file() -> bytes:
    rows = [
        # RAA: two commissioners; 18-week bands 0-17, 52-week bands 52+
        _rtt_row("RTT-June-2026", "RAA", "01W", "Part_2", "C_999", {0: 500, 17: 300, 18: 150, 60: 30, 104: 20}),
        _rtt_row("RTT-June-2026", "RAA", "02A", "Part_2", "C_999", {5: 100, 40: 50, 52: 10}),
        # a specialty row and a completed-pathways row: not read
        _rtt_row("RTT-June-2026", "RAA", "01W", "Part_2", "C_100", {0: 999}),
        _rtt_row("RTT-June-2026", "RAA", "01W", "Part_1A", "C_999", {0: 999}),
        # a provider this service does not hold
        _rtt_row("RTT-June-2026", "RZZ", "01W", "Part_2", "C_999", {0: 10}),
    ]  # fmt: skip
    return _csv(RTT_HEADER, rows)


def ae_file() -> bytes:
    def row(code, name, type1, over1):
        cells = ["MSitAE-MARCH-2026", code, "NHS ENGLAND NORTH WEST", name, type1, "0", "120"]
        cells += ["0", "0", "0", over1, "0", "3", "0", "0", "0", "40", "2", "700", "0", "0", "300"]
        return cells

    rows = [
        row("TOTAL", "TOTAL", "2,000,000", "500,000"),
        row("RAA", "ALPHA GENERAL", "9540", "812"),
        row("RAB", "ALPHA COMMUNITY", "0", "0"),  # no type 1 department
    ]
    return _csv(AE_HEADER, rows)


def _cwt_row(period, standard, code, cancer, route, total, within, modality=""):
    return [period, "APR", standard, code, modality, cancer, route, total, within, total - within]


def cwt_file() -> bytes:
    row = _cwt_row

    rows = [
        row("2025-04-01", "28-day FDS", "RAA", "Suspected breast cancer", "URGENT SUSPECTED CANCER", 200, 160),
        row("2025-04-01", "28-day FDS", "RAA", "Suspected lung cancer", "URGENT SUSPECTED CANCER", 100, 70),
        row("2025-04-01", "62-day Combined", "RAA", "Lung", "Urgent Suspected Cancer", 40, 30),
        row("2025-04-01", "62-day Combined", "RAA", "Breast", "Screening", 0, 0),
        row("2025-04-01", "31-day Combined", "RBA", "Lung", "First Treatment", 0, 0),
        row("2025-04-01", "2WW", "RAA", "Suspected lung cancer", "URGENT SUSPECTED CANCER", 5, 5),
    ]  # fmt: skip
    return _csv(CWT_HEADER, rows)


@pytest.mark.parametrize(
    ("make", "key"),
    [(rtt_file, "rtt-full-csv"), (ae_file, "ae-monthly-csv"), (cwt_file, "cwt-provider-extract")],
)
def test_each_published_layout_is_recognised(make, key):
    header = next(csv.reader(io.StringIO(make().decode())))
    assert presets.recognise(header).key == key
    assert presets.recognise(["provider", "indicator", "period", "value"]) is None


def _upload(client, content, name):
    form = client.get("/dashboard/imports/new/").content.decode()
    token = form.split('name="form_token" value="')[1].split('"')[0]
    return client.post(
        "/dashboard/imports/new/",
        {"file": SimpleUploadedFile(name, content), "form_token": token},
    )


def test_rtt_full_csv_preview_then_confirm(cast, client_for, django_capture_on_commit_callbacks):
    client = client_for("member_b")
    response = _upload(client, rtt_file(), "20260630-RTT-June-2026-full-extract.csv")
    assert response.status_code == 302 and "/imports/preview/" in response["Location"]
    assert not Observation.objects.exists(), "nothing loads before the analyst confirms"
    page = client.get(response["Location"]).content.decode()
    assert "RTT waiting times: full CSV data file" in page
    assert "RTT: waiting under 18 weeks" in page and "RTT: waiting over 52 weeks" in page
    assert "Jun 2026" in page and "RZZ" in page  # the organisation left out is named
    # someone else cannot see the pending upload
    assert client_for("member_a").get(response["Location"]).status_code in (403, 404)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(response["Location"], {})
    assert done.status_code == 302 and "/imports/" in done["Location"]
    assert not PendingUpload.objects.exists()
    within = Observation.objects.get(provider__ods_code="RAA", indicator__code="RTT_WITHIN_18WK")
    # within 18 weeks: bands 0-17 of both commissioners = 500 + 300 + 100; all = 1060 + 210
    assert (within.numerator, within.denominator) == (900.0, 1160.0)
    assert within.value == pytest.approx(900 / 1160 * 100)
    over = Observation.objects.get(provider__ods_code="RAA", indicator__code="RTT_OVER_52WK")
    assert over.value == 60.0  # 30 + 20 + 10
    assert str(within.period) == "2026-06-01"
    assert ImportBatch.objects.get().source == "NHS England RTT waiting times (full CSV)"


def test_ae_monthly_csv_loads_type_1_four_hour_waits(
    cast, client_for, django_capture_on_commit_callbacks
):
    client = client_for("member_b")
    response = _upload(client, ae_file(), "Monthly-AE-March-2026.csv")
    page = client.get(response["Location"]).content.decode()
    assert "A&amp;E attendances and emergency admissions" in page
    assert "the England total" in page and "no type 1 department" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {})
    obs = Observation.objects.get(indicator__code="AE_4HR")
    assert obs.provider.ods_code == "RAA" and str(obs.period) == "2026-03-01"
    assert (obs.numerator, obs.denominator) == (812.0, 9540.0)


def test_cwt_provider_extract_sums_breakdowns_per_standard(
    cast, client_for, django_capture_on_commit_callbacks
):
    client = client_for("member_b")
    response = _upload(client, cwt_file(), "CWT-CRS-Apr-2025-Data-Extract-Provider.csv")
    page = client.get(response["Location"]).content.decode()
    assert "other standards (2WW)" in page and "months with no patients" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {})
    fds = Observation.objects.get(indicator__code="CANCER_FDS28")
    assert (fds.numerator, fds.denominator) == (230.0, 300.0)
    c62 = Observation.objects.get(indicator__code="CANCER_62D")
    assert (c62.numerator, c62.denominator) == (30.0, 40.0)
    assert not Observation.objects.filter(indicator__code="CANCER_31D").exists()


def test_cancel_loads_nothing_and_an_unknown_layout_asks_for_a_mapping(cast, client_for):
    client = client_for("member_b")
    response = _upload(client, ae_file(), "ae.csv")
    back = client.post(response["Location"], {"cancel": "1"})
    assert back.status_code == 302 and not PendingUpload.objects.exists()
    assert not Observation.objects.exists()
    odd = _csv(["Trust", "Month", "Score"], [["RAA", "2026-03", "4"]])
    page = _upload(client, odd, "odd.csv")
    body = page.content.decode()
    assert page.status_code == 200 and "There is a problem" in body
    assert "none of NHS England&#39;s published layouts" in body or (
        "none of NHS England's published layouts" in body
    )
    assert ("column mapping" in body and "&#39;Trust&#39;" in body) or "'Trust'" in body


NOF_HEADER = [
    "Region", "Trust_type", "Trust_subtype", "Trust_code", "Trust_name", "Domain", "Sub-domain",
    "Metric_ID", "Metric_description", "Reporting_date", "Units", "Value", "Median_value",
    "Lower_quartile", "Upper_quartile", "Rank",
]  # fmt: skip


def nof_file() -> bytes:
    def row(metric, description, date, value, units="Percentage"):
        return ["North West", "Acute", "Large", "RAA", "ALPHA GENERAL", "Access to services",
                "Elective care", metric, description, date, units, value, "3.1", "1.2",
                "6.0", "42"]  # fmt: skip

    return _csv(
        NOF_HEADER,
        [
            row("OF0005", "Patients waiting over 52 weeks", "Mar-26", "4.2"),
            row("OF0079", "Planned surplus/deficit", "2025/26 plan", "-1.5"),
            row("OF9999", "A metric not in the catalogue", "Mar-26", "7"),
            # one metric in two units: two indicators, not a duplicate
            row("OF0048", "E. coli bacteraemia", "Mar-26", "31.5", "rate"),
            row("OF0048", "E. coli bacteraemia", "Mar-26", "12", "count"),
            # the adjusted segment: the provider's context, not an indicator
            row("OF5000", "Adjusted segment", "Mar-26", "2", "Segment"),
        ],
    )


def test_nof_metrics_load_into_matching_indicators_at_their_frequency(
    cast, client_for, django_capture_on_commit_callbacks
):
    from dashboard import services

    services.indicator_create(
        actor=cast.users["member_b"], code="NOF_OF0005", name="NOF: waiting over 52 weeks",
        metric="Percentage of patients waiting over 52 weeks", domain="4",
        quality_dimension="experience", unit="percent", kind="measure", multiplier=1.0,
        improvement_direction="decrease", frequency="quarterly",
    )  # fmt: skip
    client = client_for("member_b")
    response = _upload(client, nof_file(), "nhs-oversight-framework-acute-trust-data.csv")
    page = client.get(response["Location"]).content.decode()
    assert "NHS Oversight Framework metrics" in page
    assert "NOF_OF9999" in page and "not a month" in page
    assert "NOF_OF0048_RATE" in page and "NOF_OF0048_COUNT" in page
    assert "NOF_OF5000" not in page
    assert "The segment of 1 provider for Q4 2025/26" in page and "RAA: segment 2" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {})
    obs = Observation.objects.get(indicator__code="NOF_OF0005")
    # Mar-26 for a quarterly indicator: the quarter January to March 2026 (Q4 2025-26)
    assert str(obs.period) == "2026-01-01" and obs.value == 4.2
    assert Observation.objects.count() == 1
    segment = ProviderContext.objects.get(kind="nof", ods_code="RAA")
    assert (segment.label, segment.place, str(segment.as_of)) == (
        "Segment 2",
        "Q4 2025/26",
        "2026-03-31",
    )


@pytest.mark.parametrize(
    ("text", "quarter", "last"),
    [("Q3 2025/26", "Q3 2025/26", "2025-12-31"), ("Q4 2025/26", "Q4 2025/26", "2026-03-31"),
     ("Mar-26", "Q4 2025/26", "2026-03-31"), ("Nov-25", "Q3 2025/26", "2025-12-31"),
     ("Apr-25", "Q1 2025/26", "2025-06-30")],
)  # fmt: skip
def test_nof_periods_name_their_quarter(text, quarter, last):
    assert presets.nof_quarter(text) == (quarter, date.fromisoformat(last))
    assert presets.nof_quarter("2025/26 plan") is None


def test_cwt_subtotal_and_total_rows_are_not_added_to_their_breakdowns():
    def row(standard, code, modality, cancer, route, total, within):
        return _cwt_row("2025-04-01", standard, code, cancer, route, total, within, modality)

    rows = [
        # RAA: two breakdown rows, then a subtotal per route and a grand total, as some
        # extracts carry them: only the breakdowns make up the standard
        row("62-day Combined", "RAA", "Surgery", "Lung", "Urgent Suspected Cancer", 40, 30),
        row("62-day Combined", "RAA", "Surgery", "Breast", "Screening", 10, 9),
        row("62-day Combined", "RAA", "ALL", "ALL CANCERS", "Urgent Suspected Cancer", 40, 30),
        row("62-day Combined", "RAA", "All", "All Cancers", "All", 50, 39),
        row("28-day FDS", "RAA", "", "Suspected lung cancer", "URGENT SUSPECTED CANCER", 100, 70),
        row("28-day FDS", "RAA", "", "Total", "Total", 100, 70),
        # "All other cancers" is a cancer type, not a total
        row("28-day FDS", "RAA", "", "All other cancers", "URGENT SUSPECTED CANCER", 10, 5),
        # RBA is given only as a grand total: that row is read
        row("31-day Combined", "RBA", "All", "All Cancers", "All", 20, 19),
        # a subtotal with no breakdown and no grand total is not read
        row("31-day Combined", "RBB", "Surgery", "ALL CANCERS", "First Treatment", 8, 8),
    ]  # fmt: skip
    frame = pd.read_csv(io.BytesIO(_csv(CWT_HEADER, rows)), dtype=str, keep_default_na=False)
    out, notes = presets.by_key("cwt-provider-extract").build(frame)
    got = {(r.provider, r.indicator): (r.numerator, r.denominator) for r in out.itertuples()}
    assert got == {
        ("RAA", "CANCER_62D"): (39.0, 50.0),
        ("RAA", "CANCER_FDS28"): (75.0, 110.0),
        ("RBA", "CANCER_31D"): (19.0, 20.0),
    }
    assert notes["left_out"]["subtotal and total rows (the breakdown rows are summed instead)"] == 4


def test_a_nof_file_of_segments_only_loads_the_segments(cast, client_for):
    rows = [
        ["North West", "Acute", "Large", code, "TRUST", "Overall", "Overall", "OF5000",
         "Adjusted segment", "Dec-25", "Segment", value, "", "", "", "1"]
        for code, value in (("RAA", "4"), ("RZZ", "1"))
    ]  # fmt: skip
    client = client_for("member_b")
    response = _upload(client, _csv(NOF_HEADER, rows), "nof-segments.csv")
    page = client.get(response["Location"]).content.decode()
    assert "The segment of 1 provider for Q3 2025/26" in page and "Load these values" in page
    done = client.post(response["Location"], {})
    assert done.status_code == 302 and done["Location"].endswith("/dashboard/imports/new/")
    assert not ImportBatch.objects.exists() and not PendingUpload.objects.exists()
    segment = ProviderContext.objects.get(kind="nof")
    assert (segment.ods_code, segment.label, str(segment.as_of)) == (
        "RAA",
        "Segment 4",
        "2025-12-31",
    )
