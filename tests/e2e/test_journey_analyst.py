"""The analyst's journey (issue 15, build 2): from no data to a chart, through the real UI.

A file with errors is rejected whole (the row report says which rows, nothing is loaded); the
corrected file loads; the analyst opens their QSG's matrix and a provider's chart, and the
database holds exactly what the second file said.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dashboard.models import ImportBatch, ImportRowError, Observation, SpcSeries
from tests.dashboard.helpers import ae_rows, csv_bytes


def _upload(page, path, source: str) -> None:
    page.locator("input[type=file][name=file]").set_input_files(str(path))
    page.get_by_label("Source of the data (optional)").fill(source)
    page.get_by_role("button", name="Upload and load").click()
    expect(page).to_have_url(re.compile(r"/dashboard/imports/\d+/$"))


@pytest.mark.worker
def test_analyst_imports_a_bad_file_then_a_good_one_and_reads_the_chart(
    celery_worker, cast, site, page, login, axe_check, tmp_path
):
    good = ae_rows("RBA", n=30, shift_at=24, shift=0.08)
    bad = list(good)
    bad[4] = "ZZZ99,AE_4HR,2017-05,,500,5000"  # no such provider
    bad[11] = "RBA,AE_4HR,2017-13,,500,5000"  # no such month
    (tmp_path / "returns-draft.csv").write_bytes(csv_bytes(bad))
    (tmp_path / "returns.csv").write_bytes(csv_bytes(good))

    login("member_b")
    page.get_by_role("link", name="Dashboard", exact=True).first.click()
    axe_check("dashboard home")
    page.get_by_role("link", name="Load indicator data").first.click()

    # All or nothing: two bad rows, and not one of the 28 good ones is loaded.
    _upload(page, tmp_path / "returns-draft.csv", "Trust returns (draft)")
    status = page.locator("#import-status")
    expect(status).to_contain_text("2 rows have problems. Nothing was loaded.", timeout=60_000)
    report = page.locator("#import-errors")
    expect(report).to_be_visible()  # the row report comes with the outcome, without a reload
    rows = [r.split("\t") for r in report.locator("tbody tr").all_inner_texts()]
    assert [(r[0], r[2]) for r in rows] == [("6", "ZZZ99"), ("13", "2017-13")], rows
    axe_check("rejected import")
    assert not Observation.objects.exists()
    rejected = ImportBatch.objects.get(file_name="returns-draft.csv")
    assert rejected.outcome == ImportBatch.Outcome.REJECTED
    assert sorted(
        ImportRowError.objects.filter(batch=rejected).values_list("row_number", flat=True)
    ) == [
        6,
        13,
    ]

    # The corrected file loads, and the SPC results are worked out.
    page.get_by_role("button", name="Load another file").click()
    _upload(page, tmp_path / "returns.csv", "Trust returns")
    expect(page.locator("#import-status")).to_contain_text("Loaded: 30 new", timeout=60_000)
    expect(page.locator("#recompute-status")).to_contain_text("Worked out 1 series", timeout=60_000)
    expect(page.locator("#import-errors")).to_have_count(0)
    axe_check("loaded import")

    # The QSG's matrix, then the provider's chart.
    page.get_by_role("link", name="Dashboard", exact=True).first.click()
    page.get_by_role("link", name="Area B QSG", exact=True).click()
    matrix = page.locator("#matrix")
    expect(matrix).to_contain_text("Bravo Royal Infirmary")
    expect(matrix.get_by_role("img", name="Special cause concern (high)")).to_have_count(1)
    axe_check("QSG matrix")
    matrix.get_by_role("link", name="Bravo Royal Infirmary").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SPC charts")
    expect(page.locator("figure.app-chart svg[role=img]")).to_have_count(1)
    expect(page.locator("figure.app-chart desc")).to_contain_text("Latest value")
    axe_check("provider charts")

    # Read back: exactly the second file's 30 values, from that batch, and one SPC series.
    loaded = ImportBatch.objects.get(file_name="returns.csv")
    assert (loaded.outcome, loaded.source, loaded.rows_created) == (
        ImportBatch.Outcome.LOADED,
        "Trust returns",
        30,
    )
    stored = Observation.objects.filter(provider=cast.providers["provider_b1"])
    assert stored.count() == Observation.objects.count() == 30
    assert set(stored.values_list("batch_id", flat=True)) == {loaded.pk}
    first = stored.order_by("period").first()
    assert (first.period.isoformat(), first.denominator) == ("2017-01-01", 5000)
    assert SpcSeries.objects.filter(provider=cast.providers["provider_b1"]).count() == 1
