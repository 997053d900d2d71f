"""Imports: good files, every kind of bad row, whole-file problems, idempotency, concurrency."""

from __future__ import annotations

import io
import threading
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from dashboard import services
from dashboard.models import ColumnMapping, ImportBatch, ImportRowError, Observation, SpcSeries
from qsg.models import Job

from .helpers import HEADER, ae_rows, csv_bytes, load

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(cast):
    return cast.users["member_b"]


def errors_of(batch) -> list[tuple[int, str, str]]:
    return list(
        ImportRowError.objects.filter(batch=batch)
        .order_by("row_number", "id")
        .values_list("row_number", "column", "message")
    )


def test_a_good_file_is_loaded_with_counts_and_series(cast, analyst):
    batch = load(analyst, csv_bytes(ae_rows("RAA", n=14) + ae_rows("RBA", n=14)))
    assert batch.outcome == ImportBatch.Outcome.LOADED
    assert (batch.rows_read, batch.rows_created, batch.rows_updated) == (28, 28, 0)
    assert batch.series_changed == 2
    assert batch.job.status == Job.Status.SUCCEEDED
    assert batch.content is None, "the file is not kept once read"
    obs = Observation.objects.get(provider__ods_code="RAA", period="2017-01-01")
    assert obs.denominator == 5000 and obs.value == pytest.approx(obs.numerator / 50)
    assert obs.batch_id == batch.pk and obs.source == "data.csv"
    series = SpcSeries.objects.get(provider__ods_code="RAA")
    assert series.n_points == 14 and series.is_current and series.variation


def test_value_only_and_numerator_denominator_rows(cast, analyst):
    rows = ["RAA,NET_PROMOTER,2019-01,71.5,,", "RAA,AE_4HR,2019-01-01,,10,200"]
    batch = load(analyst, csv_bytes(rows))
    assert batch.outcome == "loaded", errors_of(batch)
    assert Observation.objects.get(indicator__code="NET_PROMOTER").value == 71.5
    assert Observation.objects.get(indicator__code="AE_4HR").value == pytest.approx(5.0)


BAD_ROWS = [
    ("XXX,AE_4HR,2019-01,5,,", "provider", "No provider has the ODS code XXX"),
    (",AE_4HR,2019-01,5,,", "provider", "Enter the provider's ODS code"),
    ("RAA,NOPE,2019-01,5,,", "indicator", "No indicator has the code NOPE"),
    ("RAA,AE_4HR,2019-13,5,,", "period", "is not a period"),
    ("RAA,AE_4HR,2019-01-15,5,,", "period", "is not a period"),
    ("RAA,AE_4HR,January,5,,", "period", "is not a period"),
    ("RAA,AE_4HR,,5,,", "period", "Enter the period"),
    ("RAA,AE_4HR,2019-01,five,,", "value", "'five' is not a number"),
    ("RAA,AE_4HR,2019-01,,,", "value", "Enter the value, or the numerator and denominator"),
    ("RAA,AE_4HR,2019-01,,5,0", "denominator", "The denominator is 0"),
    ("RAA,AE_4HR,2019-01,,5,-3", "denominator", "negative"),
    ("RAA,AE_4HR,2019-01,,5,", "", "Give both the numerator and the denominator"),
    ("RAA,AE_4HR,2019-01,,9,4", "numerator", "larger than the denominator"),
    ("RAA,AE_4HR,2019-01,50,5,100", "value", "does not match"),
    ("RAA,AE_4HR,2019-01,194.2,,", "value", "'194.2' is over 100%: a proportion cannot be more"),
    ("RAA,AE_4HR,2019-01,-0.5,,", "value", "'-0.5' is negative"),
    ("RAA,AE_4HR,2019-01,=1+2,,", "value", "formula"),
    ("RAA,AE_4HR,2019-01,inf,,", "value", "is not a number"),
]


@pytest.mark.parametrize(("row", "column", "message"), BAD_ROWS, ids=[b[2] for b in BAD_ROWS])
def test_each_kind_of_bad_row_rejects_the_whole_file(cast, analyst, row, column, message):
    good = "RBA,AE_4HR,2019-01,,10,200"
    batch = load(analyst, csv_bytes([good, row, good.replace("2019-01", "2019-02")]))
    assert batch.outcome == ImportBatch.Outcome.REJECTED
    assert batch.job.status == Job.Status.FAILED
    assert "Nothing was loaded" in batch.job.message
    found = errors_of(batch)
    assert found, "a per-row error is recorded"
    assert all(r == 3 for r, _, _ in found), found  # header is row 1, the bad row is row 3
    assert any(message in m and (not column or c == column) for _, c, m in found), found
    assert not Observation.objects.exists(), "all or nothing"
    assert batch.rows_invalid == 1


def test_duplicate_rows_in_the_file_are_errors_naming_the_first(cast, analyst):
    rows = [
        "RAA,AE_4HR,2019-01,,10,200",
        "RBA,AE_4HR,2019-01,,1,10",
        "raa,ae_4hr,2019-01-01,,11,200",
    ]
    batch = load(analyst, csv_bytes(rows))
    assert batch.outcome == "rejected"
    assert errors_of(batch) == [(4, "", "Duplicate of row 2: same provider, indicator and period")]


def test_error_report_download_lists_every_problem_and_defuses_formulas(cast, analyst, client_for):
    batch = load(
        analyst, csv_bytes(["XXX,AE_4HR,2019-01,5,,", "RAA,AE_4HR,2019-01,=HYPERLINK(1),,"])
    )
    response = client_for("member_b").get(f"/dashboard/imports/{batch.pk}/errors.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert text.splitlines()[0] == "row,column,value,problem"
    assert "No provider has the ODS code XXX" in text
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


def test_reimporting_the_same_file_changes_nothing(cast, analyst):
    content = csv_bytes(ae_rows("RAA", n=15))
    first = load(analyst, content)
    before = list(
        Observation.objects.order_by("pk").values_list("pk", "value", "batch_id", "updated_at")
    )
    series = SpcSeries.objects.get()
    second = load(analyst, content)
    assert second.outcome == "loaded"
    assert (second.rows_created, second.rows_updated, second.rows_unchanged) == (0, 0, 15)
    assert second.series_changed == 0 and second.recompute_job is None
    assert "Nothing changed" in second.job.message
    after = list(
        Observation.objects.order_by("pk").values_list("pk", "value", "batch_id", "updated_at")
    )
    assert after == before
    series.refresh_from_db()
    assert series.data_revision == 1 and series.is_current
    assert first.pk != second.pk


def test_a_changed_value_updates_one_row_and_one_series(cast, analyst):
    load(analyst, csv_bytes(ae_rows("RAA", n=15) + ae_rows("RBA", n=15)))
    rows = ae_rows("RAA", n=15) + ae_rows("RBA", n=15)
    rows[3] = rows[3].rsplit(",", 2)[0] + ",1,5000"
    batch = load(analyst, csv_bytes(rows))
    assert (batch.rows_created, batch.rows_updated, batch.rows_unchanged) == (0, 1, 29)
    assert batch.series_changed == 1
    revisions = dict(SpcSeries.objects.values_list("provider__ods_code", "data_revision"))
    assert revisions == {"RAA": 2, "RBA": 1}
    assert all(s.is_current for s in SpcSeries.objects.all())


def test_only_analysts_may_import_for_any_provider(cast):
    with pytest.raises(PermissionDenied):
        services.import_submit(
            actor=cast.users["secretariat_a"], file_name="x.csv", content=csv_bytes(ae_rows("RAA"))
        )
    # member_b sees only QSG B, yet may load national data, for RAA (QSG A) too
    batch = load(cast.users["member_b"], csv_bytes(ae_rows("RAA", n=3)))
    assert batch.outcome == "loaded"


def test_whole_file_problems(cast, analyst, settings):
    def reject(content, name="f.csv"):
        batch = load(analyst, content, file_name=name, recompute_now=False)
        assert batch.outcome == "rejected"
        return errors_of(batch)[0][2]

    assert "not UTF-8" in reject(
        HEADER.encode() + "RAA,AE_4HR,2019-01,5,,caf\xe9\n".encode("latin-1")
    )
    assert "no column called 'period'" in reject(b"provider,indicator,value\nRAA,AE_4HR,5\n")
    assert "no rows" in reject(HEADER.encode()).lower()
    with pytest.raises(ValidationError, match="empty"):
        services.import_submit(actor=analyst, file_name="f.csv", content=b"")
    settings.QSG_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ValidationError, match="smaller than"):
        services.import_submit(actor=analyst, file_name="f.csv", content=b"x" * 101)
    with pytest.raises(ValidationError, match="xls"):
        services.import_submit(actor=analyst, file_name="f.xls", content=b"\xd0\xcf\x11\xe0rest")


def test_utf16_csv_from_excel_is_read(cast, analyst):
    content = (HEADER + "RAA,AE_4HR,2019-01,,10,200\n").encode("utf-16")
    assert load(analyst, content, recompute_now=False).outcome == "loaded"


def _xlsx(rows, header=("provider", "indicator", "period", "value", "numerator", "denominator")):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_excel_file_is_loaded_and_dates_become_months(cast, analyst):
    import datetime as dt

    content = _xlsx(
        [
            ("RAA", "AE_4HR", dt.datetime(2019, 1, 1), None, 10, 200),
            ("RAA", "NET_PROMOTER", "2019-02", 70.25, None, None),
        ]
    )
    batch = load(analyst, content, file_name="returns.xlsx", recompute_now=False)
    assert batch.outcome == "loaded", errors_of(batch)
    assert Observation.objects.count() == 2


def test_excel_formulas_are_text_not_evaluated(cast, analyst):
    content = _xlsx([("RAA", "AE_4HR", "2019-01", "=2+3", None, None)])
    batch = load(analyst, content, file_name="returns.xlsx", recompute_now=False)
    assert batch.outcome == "rejected"
    assert errors_of(batch) == [
        (
            2,
            "value",
            "This cell holds a formula. Formulas are not worked out: enter the value itself",
        )
    ]


def test_excel_zip_bomb_is_refused_before_loading(cast, analyst, monkeypatch):
    from dashboard import importing

    monkeypatch.setattr(importing, "MAX_UNCOMPRESSED_BYTES", 1024 * 1024)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * (3 * 1024 * 1024))
    batch = load(analyst, buf.getvalue(), file_name="bomb.xlsx", recompute_now=False)
    assert batch.outcome == "rejected"
    assert "would expand" in errors_of(batch)[0][2]


def test_a_column_mapping_reads_the_published_ae_file(cast, analyst):
    mapping = ColumnMapping.objects.get(name__startswith="NHS England A&E")
    content = (
        b"period,org_code,type,attendances,breaches,admissions\n"
        b"2019-01-01,RAA,1,1000,100,50\n"
        b"2019-01-01,RAA,2,300,0,0\n"
        b"2019-01-01,RBA,other,10,0,0\n"
        b"2019-02-01,RAA,1,1000,80,50\n"
    )
    batch = load(analyst, content, mapping=mapping, recompute_now=False)
    assert batch.outcome == "loaded", errors_of(batch)
    assert sorted(Observation.objects.values_list("value", flat=True)) == [8.0, 10.0]
    assert batch.job.counts["rows_skipped"] == 2


def test_double_submit_with_the_same_token_or_file_creates_one_job(cast, analyst):
    content = csv_bytes(ae_rows("RAA", n=3))
    first, created = services.import_submit(
        actor=analyst, file_name="a.csv", content=content, token="tok-1"
    )
    again, created_again = services.import_submit(
        actor=analyst, file_name="a.csv", content=content, token="tok-1"
    )
    assert created and not created_again and again.pk == first.pk
    # the same file without a token, while the first is still waiting: deduplicated by Job.key
    third, created_third = services.import_submit(actor=analyst, file_name="a.csv", content=content)
    assert not created_third and third.pk == first.pk
    assert Job.objects.filter(kind=services.IMPORT_KIND).count() == 1
    services.import_run(batch_id=first.pk)
    # once it has finished, the same file may be loaded again (and changes nothing)
    fourth, created_fourth = services.import_submit(
        actor=analyst, file_name="a.csv", content=content
    )
    assert created_fourth and fourth.pk != first.pk


def test_running_an_import_twice_does_the_work_once(cast, analyst):
    batch, _ = services.import_submit(
        actor=analyst, file_name="a.csv", content=csv_bytes(ae_rows("RAA", n=3))
    )
    services.import_run(batch_id=batch.pk)
    services.import_run(batch_id=batch.pk)  # a redelivered task finds the job taken
    batch.refresh_from_db()
    assert batch.job.attempts == 1 and Observation.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_imports_leave_no_duplicates(cast, monkeypatch):
    """Two files overlap (same keys, different values), loaded at the same time."""
    monkeypatch.setattr(services, "_enqueue", lambda job, task, **kwargs: None)
    analyst = cast.users["member_b"]
    a_rows = ae_rows("RAA", n=20) + ae_rows("RBA", n=20)
    b_rows = ae_rows("RBA", n=20, base=0.2) + ae_rows("RCA", n=20)
    batches = [
        services.import_submit(actor=analyst, file_name=name, content=csv_bytes(rows))[0]
        for name, rows in (("a.csv", a_rows), ("b.csv", b_rows))
    ]
    barrier = threading.Barrier(2)
    failures = []

    def run(batch_id):
        try:
            barrier.wait(timeout=10)
            services.import_run(batch_id=batch_id)
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(b.pk,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failures
    outcomes = set(ImportBatch.objects.values_list("outcome", flat=True))
    assert outcomes == {"loaded"}
    assert Observation.objects.count() == 60  # RAA 20 + RBA 20 + RCA 20, no duplicates
    keys = list(Observation.objects.values_list("indicator_id", "provider_id", "period"))
    assert len(keys) == len(set(keys))
    rba = list(
        Observation.objects.filter(provider__ods_code="RBA")
        .order_by("period")
        .values_list("batch_id", flat=True)
    )
    assert len(set(rba)) == 1, "each RBA month has one whole file's value, not a mixture"
    series = SpcSeries.objects.count()
    assert series == 3
    assert SpcSeries.objects.get(provider__ods_code="RBA").data_revision in (1, 2)
