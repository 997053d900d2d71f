"""Pages, API and the signals selector: content, scoping, bad input, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from dashboard import selectors, services
from dashboard.models import ImportBatch, Observation, SpcSeries
from qsg.models import Job

from .helpers import HEADER, ae_rows, csv_bytes, seed_cast_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(cast):
    seed_cast_data(cast)
    return cast


def test_matrix_shows_scoped_providers_with_icons_and_sorts(data, client_for):
    client = client_for("member_a")
    url = f"/dashboard/qsgs/{data.qsgs['a'].pk}/"
    body = client.get(url).content.decode()
    assert "Alpha General Hospital" in body and "Alpha Community Services" in body
    assert "Bravo Royal Infirmary" not in body, "B's provider is not in A's footprint"
    assert 'aria-label="Special cause concern (high)"' in body
    assert "<caption" in body and 'scope="row"' in body
    # sort by the indicator, highest first: the concerning Alpha General first
    body = client.get(url + "?sort=AE_4HR&dir=desc").content.decode()
    assert body.index("Alpha General Hospital") < body.index("Alpha Community Services")
    assert 'aria-sort="descending"' in body
    body = client.get(url + "?sort=AE_4HR&dir=asc").content.decode()
    assert body.index("Alpha Community Services") < body.index("Alpha General Hospital")
    body = client.get(url + "?sector=community").content.decode()
    assert "Alpha General Hospital" not in body
    # bad filter values are ignored, never a 500
    assert client.get(url + "?sector=nope&sort=%00&page=x&dir=sideways").status_code == 200


def test_matrix_query_count_does_not_grow_with_providers(data, client_for):
    from dashboard.selectors import matrix

    user = data.users["regional_secretariat"]
    matrix(user, data.qsgs["r"])  # resolves (and caches) what the user may see
    with CaptureQueriesContext(connection) as few:
        matrix(user, data.qsgs["r"])
    from tests.dashboard.helpers import load

    load(data.users["member_b"], csv_bytes(ae_rows("RBA", n=24, start=dt.date(2019, 1, 1))))
    with CaptureQueriesContext(connection) as more:
        result = matrix(user, data.qsgs["r"])
    assert len(result.rows) == 3
    assert len(more) == len(few), [q["sql"] for q in more.captured_queries]
    # provider ids, indicators, their latest national aggregates, count, page of providers,
    # the page's series
    assert len(more) <= 6, [q["sql"] for q in more.captured_queries]


def test_matrix_cells_link_to_their_charts_and_count_concerns_of_every_indicator(data):
    from django.urls import reverse

    from dashboard.models import Indicator
    from dashboard.selectors import matrix

    user = data.users["regional_secretariat"]
    result = matrix(user, data.qsgs["r"])
    a1 = next(r for r in result.rows if r.provider == data.providers["provider_a1"])
    assert a1.concerns == 1
    for row in result.rows:
        for ind, cell in zip(result.indicators, row.cells, strict=True):
            assert cell is None or cell.url == reverse(
                "dashboard:series", args=[row.provider.pk, ind.code]
            )
    # a domain without AE_4HR shows none of its cells, and still counts its concern
    other = Indicator.objects.exclude(domain=Indicator.objects.get(code="AE_4HR").domain).first()
    by_domain = matrix(user, data.qsgs["r"], domain=other.domain)
    assert all(c is None for r in by_domain.rows for c in r.cells)
    assert {r.provider.pk: r.concerns for r in by_domain.rows}[a1.provider.pk] == 1
    by_concerns = matrix(user, data.qsgs["r"], sort="concerns")
    assert by_concerns.rows[0].provider == a1.provider and by_concerns.rows[0].concerns == 1


def test_provider_page_has_a_chart_with_a_text_alternative_and_data_table(data, client_for):
    body = (
        client_for("chair_a")
        .get(f"/dashboard/providers/{data.providers['provider_a1'].pk}/")
        .content.decode()
    )
    assert "<svg" in body and 'role="img"' in body and "<desc" in body
    assert 'font-family="Arial' in body
    assert "Data for the chart of A&amp;E experience" in body
    assert "#ED8B00" in body, "special cause concern points are orange"


def test_series_page_and_rebase_form_errors(data, client_for):
    provider = data.providers["provider_b1"]
    client = client_for("member_b")
    url = f"/dashboard/providers/{provider.pk}/AE_4HR/"
    body = client.get(url).content.decode()
    assert "Against peers" in body and "Rebase this series" in body
    response = client.post(url + "rebase/", {"period": "1999-01-01", "reason": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert ("There is a problem" in body and "Enter the reason" in body) or "required" in body
    assert client.get(f"/dashboard/providers/{provider.pk}/NOPE/").status_code == 404


def test_provider_detail_section_on_the_network_page(data, client_for):
    body = (
        client_for("chair_a")
        .get(f"/providers/{data.providers['provider_a1'].pk}/")
        .content.decode()
    )
    assert "Quality dashboard" in body and "SPC charts for Alpha General Hospital" in body


def test_home_panels(data, client_for):
    body = client_for("chair_a").get("/").content.decode()
    assert "Dashboard signals in your QSGs" in body
    assert "Dashboard data" not in body
    body = client_for("member_b").get("/").content.decode()
    assert "Dashboard data" in body and "Load indicator data" in body


def test_signals_since_scoped_and_dated(data):
    user = data.users["chair_a"]
    signals = selectors.signals_since(user, data.qsgs["a"], dt.date(2017, 1, 1))
    kinds = {(s.ods_code, s.kind) for s in signals}
    assert ("RAA", "concern") in kinds and ("RAA", "target") in kinds
    assert all(s.ods_code in {"RAA", "RAB"} for s in signals)
    assert selectors.signals_since(user, data.qsgs["a"], dt.date(2030, 1, 1)) == []
    with pytest.raises(Http404):
        selectors.signals_since(data.users["member_b"], data.qsgs["a"], dt.date(2017, 1, 1))
    # the regional team sees A's and B's providers through its regional QSG
    regional = selectors.signals_since(data.users["reviewer"], data.qsgs["r"], dt.date(2017, 1, 1))
    assert {s.ods_code for s in regional} >= {"RAA"}


def test_signals_page_bad_date_gives_field_error(data, client_for):
    url = f"/dashboard/qsgs/{data.qsgs['a'].pk}/signals/"
    response = client_for("chair_a").get(url + "?since-day=31&since-month=2&since-year=2019")
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body and "<title>Error: " in body


def test_import_page_upload_redirects_to_progress_and_dedupes(
    cast, client_for, django_capture_on_commit_callbacks
):
    client = client_for("member_b")
    form = client.get("/dashboard/imports/new/").content.decode()
    token = form.split('name="form_token" value="')[1].split('"')[0]
    content = csv_bytes(ae_rows("RAA", n=14))
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(
            "/dashboard/imports/new/",
            {"file": SimpleUploadedFile("a.csv", content), "form_token": token},
        )
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            "/dashboard/imports/new/",
            {"file": SimpleUploadedFile("a.csv", content), "form_token": token},
        )
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert ImportBatch.objects.count() == 1
    page = client.get(first["Location"]).content.decode()
    assert "Loaded: 14 new" in page
    assert SpcSeries.objects.get().is_current  # eager tasks ran the recompute on commit
    partial = client.get(first["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="import-status"') and "hx-trigger" not in partial


def test_import_page_field_errors(cast, client_for):
    client = client_for("member_b")
    response = client.post("/dashboard/imports/new/", {})
    assert response.status_code == 200 and "Select a CSV or Excel file" in response.content.decode()
    response = client.post(
        "/dashboard/imports/new/", {"file": SimpleUploadedFile("a.pdf", b"%PDF")}
    )
    assert "must be a CSV file" in response.content.decode()


def test_the_polled_status_of_a_rejected_import_carries_its_row_report(cast, client_for):
    """The progress page polls only its status partial: the rows at fault must come with it, or
    the analyst reads 'Nothing was loaded' and never which rows (issue 15, analyst journey)."""
    rows = [*ae_rows("RAA", n=3), "ZZZ99,AE_4HR,2017-05,,5,100"]
    batch, _ = services.import_submit(
        actor=cast.users["member_b"], file_name="a.csv", content=csv_bytes(rows)
    )
    services.import_run(batch_id=batch.pk)
    partial = (
        client_for("member_b")
        .get(f"/dashboard/imports/{batch.pk}/", HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "Nothing was loaded" in partial and 'id="import-errors"' in partial
    assert '<td class="nhsuk-table__cell">ZZZ99</td>' in partial


def test_running_import_shows_progress_and_polls(cast, client_for):
    batch, _ = services.import_submit(
        actor=cast.users["member_b"], file_name="a.csv", content=csv_bytes(ae_rows("RAA", n=3))
    )
    Job.objects.filter(pk=batch.job_id).update(
        status="running", progress=40, message="Checked 1 rows"
    )
    body = client_for("member_b").get(f"/dashboard/imports/{batch.pk}/").content.decode()
    assert '<progress id="import-progress" max="100" value="40"' in body
    assert 'hx-trigger="every 1s"' in body and "Refresh this page" in body


def test_api_import_returns_202_and_job_status(cast, django_capture_on_commit_callbacks):
    client = APIClient()
    client.force_authenticate(cast.users["member_b"])
    upload = SimpleUploadedFile("a.csv", csv_bytes(ae_rows("RAA", n=13)), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/observations/import/",
            {"file": upload},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="k1",
        )
    assert response.status_code == 202, response.content
    job = response.json()["job"]
    status = client.get(f"/api/v1/import-jobs/{job}/").json()
    assert status["status"] == "succeeded" and status["rows_created"] == 13
    upload = SimpleUploadedFile("a.csv", csv_bytes(ae_rows("RAA", n=13)), content_type="text/csv")
    again = client.post(
        "/api/v1/observations/import/",
        {"file": upload},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="k1",
    )
    assert again.status_code == 202 and again.json()["job"] == job
    bad = client.post(
        "/api/v1/observations/import/",
        {"file": SimpleUploadedFile("a.csv", b"")},
        format="multipart",
    )
    assert bad.status_code == 400 and "file" in bad.json()


def test_api_rejected_import_reports_errors_url(cast, django_capture_on_commit_callbacks):
    client = APIClient()
    client.force_authenticate(cast.users["member_b"])
    upload = SimpleUploadedFile("a.csv", (HEADER + "XXX,AE_4HR,2019-01,5,,\n").encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/observations/import/", {"file": upload}, format="multipart")
    status = client.get(f"/api/v1/import-jobs/{response.json()['job']}/").json()
    assert status["outcome"] == "rejected" and status["errors_url"].endswith("/errors.csv")


def test_api_observations_filter_and_spc(data):
    client = APIClient()
    client.force_authenticate(data.users["member_a"])
    rows = client.get(
        "/api/v1/observations/?indicator=ae_4hr&ods_code=RAA&period_from=2018-01-01"
    ).json()
    assert rows["count"] == 12 and {r["ods_code"] for r in rows["results"]} == {"RAA"}
    spc = client.get("/api/v1/spc/?provider=RAA&indicator=AE_4HR").json()
    assert spc["summary"]["variation"] == "concern_high" and len(spc["points"]) == 24
    assert spc["points"][-1]["point_type"] == "special_cause_concern"
    assert client.get("/api/v1/spc/?provider=RCA&indicator=AE_4HR").status_code == 404
    assert client.get("/api/v1/spc/?indicator=AE_4HR").status_code == 400
    assert client.get("/api/v1/observations/?period_from=not-a-date").status_code == 400


def test_catalogue_edit_page_saves_and_validates(cast, client_for):
    client = client_for("member_b")
    response = client.post("/dashboard/indicators/AE_4HR/edit/", {"name": ""})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    response = client.post(
        "/dashboard/indicators/new/",
        {
            "code": "AE_4HR",
            "name": "x",
            "metric": "x",
            "domain": "1",
            "quality_dimension": "safe",
            "unit": "count",
            "kind": "measure",
            "multiplier": "1",
            "improvement_direction": "increase",
        },
    )
    assert "already exists" in response.content.decode()


def test_analyst_imports_for_providers_they_cannot_see(cast, client_for):
    from tests.dashboard.helpers import load

    load(cast.users["member_b"], csv_bytes(ae_rows("RAA", n=14)))
    assert Observation.objects.filter(provider__ods_code="RAA").count() == 14
    client = client_for("member_b")
    assert (
        client.get(f"/dashboard/providers/{cast.providers['provider_a1'].pk}/").status_code == 404
    )
    api = APIClient()
    api.force_authenticate(cast.users["member_b"])
    assert api.get("/api/v1/observations/?ods_code=RAA").json()["count"] == 0
