"""Hostile files for the indicator import: fuzzed, malformed, huge, formula-laden, zip bombs,
wrong encodings. Each must end as loaded or as a clear rejection; never a crash or a 500.

The pure tests drive dashboard.importing directly (many examples, no database); the
database tests upload through the real page and API and run the real import.
"""

from __future__ import annotations

import functools
import io
import struct
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from dashboard import importing, services
from dashboard.models import ImportBatch, ImportRowError

from .conftest import HOSTILE_SETTINGS

PROVIDERS = {"RAA": 1, "RBA": 2}
INDICATORS = {
    "AE_4HR": importing.IndicatorInfo(1, "proportion", 100.0),
    "NET_PROMOTER": importing.IndicatorInfo(2, "score", 1.0),
}
HEADER = "provider,indicator,period,value,numerator,denominator"


def run_pure(content: bytes, name: str) -> str:
    """Read and check a file as the import does; 'ok', or the FileProblem's message."""
    try:
        for chunk in importing.read_table(content, name, chunk_rows=64):
            missing = importing.missing_columns(chunk.columns, importing.STANDARD)
            if missing:
                return "missing: " + ", ".join(missing)
            checked = importing.check_chunk(
                chunk, importing.STANDARD, providers=PROVIDERS, indicators=INDICATORS
            )
            for error in checked.errors:
                assert error.row >= 2 and error.message and isinstance(error.value, str)
                assert len(error.value) <= 200
    except importing.FileProblem as problem:
        assert str(problem), "a file problem always says what is wrong"
        return str(problem)
    return "ok"


# Cells: plain values, formulas, quotes, separators, control and bidi characters, NUL.
HOSTILE_CHARS = "=+-@\t\r\n\",;'\x00\x1b\u202e\u2066\u200b\ufeff\u00e9\u00a3<>&"
cells = st.one_of(
    st.sampled_from(["RAA", "AE_4HR", "2019-03", "2019-03-01", "71.5", "10", "200", ""]),
    st.sampled_from(["=1+1", '=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]),
    st.text(alphabet=st.sampled_from(HOSTILE_CHARS + "AZaz09"), max_size=30),
    st.text(max_size=30),
)
rows = st.lists(st.lists(cells, min_size=0, max_size=8), max_size=12)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1"]


def to_csv(table: list[list[str]], header: str = HEADER) -> str:
    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\r\n') else cell

    return header + "\n" + "\n".join(",".join(quote(c) for c in row) for row in table) + "\n"


@given(st.binary(max_size=4096), st.sampled_from(["junk.csv", "junk.txt", "junk", "junk.xlsx"]))
@example(b"", "empty.csv")
@example(b"\x00" * 100, "nul.csv")
@example(b"PK\x03\x04" + b"\x00" * 100, "fake.xlsx")
@example(b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old.xls.csv")
@example(b"\xff\xfe" + b"\x00\xd8" * 10, "broken-utf16.csv")
@HOSTILE_SETTINGS
def test_binary_junk_is_refused_or_read_never_crashes(content, name):
    run_pure(content, name)


@given(rows, st.sampled_from(ENCODINGS))
@HOSTILE_SETTINGS
def test_hostile_cells_in_any_encoding_give_row_errors_or_a_file_problem(table, encoding):
    content = to_csv(table).encode(encoding, errors="replace")
    outcome = run_pure(content, "returns.csv")
    if encoding.startswith("utf") and outcome.startswith("The file is not UTF-8"):
        pytest.fail(f"a readable {encoding} file was refused: {outcome}")


@given(st.lists(st.lists(cells, min_size=6, max_size=6), min_size=1, max_size=8))
@HOSTILE_SETTINGS
def test_hostile_workbooks_give_row_errors_never_formulas_worked_out(table):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for row in table:  # openpyxl itself refuses control characters in cells
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    run_pure(buffer.getvalue(), "returns.xlsx")


@functools.cache
def small_workbook() -> bytes:
    """One valid workbook, built once: its bytes carry the save time, and Hypothesis needs
    the same length on every example to replay a case."""
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER.split(","))
    workbook.active.append(["RAA", "AE_4HR", "2019-03", "", "10", "200"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@given(st.data())
@HOSTILE_SETTINGS
def test_damaged_workbooks_are_refused_cleanly(data):
    raw = bytearray(small_workbook())
    for _ in range(data.draw(st.integers(1, 20))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(4, len(raw)))
    run_pure(bytes(raw[:cut]), "damaged.xlsx")


def test_wrong_encodings_get_a_clear_file_level_message():
    text = to_csv(
        [["RAA", "AE_4HR", "2019-03", "", "10", "200"], ["Caf\u00e9 \u00a3", "", "", "", "", ""]]
    )
    assert "not UTF-8" in run_pure(text.encode("cp1252"), "excel-default.csv")
    assert "save it as 'CSV UTF-8" in run_pure(text.encode("cp1252"), "excel-default.csv")
    assert run_pure(text.encode("utf-8-sig"), "bom.csv") == "ok"
    assert run_pure(text.encode("utf-16"), "unicode-text.csv") == "ok"
    # UTF-16 without a byte order mark is recognised by its NUL bytes
    assert run_pure(text.encode("utf-16-le"), "no-bom.csv") == "ok"
    assert run_pure(text.encode("utf-16-be"), "no-bom.csv") == "ok"


def test_a_huge_cell_is_read_and_reported_short():
    table = [["RAA", "AE_4HR", "2019-03", "9" * 100 + "x" * (4 * 1024 * 1024), "", ""]]
    df = next(importing.read_table(to_csv(table).encode(), "huge.csv"))
    checked = importing.check_chunk(
        df, importing.STANDARD, providers=PROVIDERS, indicators=INDICATORS
    )
    assert [e.column for e in checked.errors] == ["value"]
    assert len(checked.errors[0].value) == 200


# Zip bombs -------------------------------------------------------------------------------


def _bomb(member: str, size: int, extra: dict[str, bytes] | None = None) -> bytes:
    """A workbook-shaped zip with one part of `size` bytes that compresses about 1000:1."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        for name, body in (extra or {}).items():
            zf.writestr(name, body)
        with zf.open(member, "w", force_zip64=True) as part:
            block = b"<a>" + b"0" * (1024 * 1024 - 7) + b"</a>\n"
            written = 0
            while written < size:
                part.write(block)
                written += len(block)
    return buffer.getvalue()


@functools.cache
def big_bomb() -> bytes:
    """300 MB of sheet (more than importing.MAX_UNCOMPRESSED_BYTES) in a file of about 300 KB."""
    return _bomb("xl/worksheets/sheet1.xml", 300 * 1024 * 1024)


def _peak_mb(fn) -> float:
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / (1024 * 1024)


def test_a_zip_bomb_is_refused_before_openpyxl_without_using_memory():
    content = big_bomb()
    assert len(content) < 1024 * 1024
    outcome = []
    peak = _peak_mb(lambda: outcome.append(run_pure(content, "bomb.xlsx")))
    assert "would expand to 300 MB" in outcome[0]
    assert peak < 20, f"{peak:.1f} MB used to refuse a zip bomb"


def test_a_well_compressed_part_under_the_size_cap_is_refused_by_ratio():
    content = _bomb("xl/worksheets/sheet1.xml", 100 * 1024 * 1024)
    assert "compressed suspiciously well" in run_pure(content, "bomb.xlsx")


def test_a_large_part_read_whole_is_refused(monkeypatch):
    monkeypatch.setattr(importing, "MAX_COMPRESSION_RATIO", 10**9)
    content = _bomb("xl/sharedStrings.xml", importing.MAX_PART_BYTES + 1024 * 1024)
    assert "part too large" in run_pure(content, "strings.xlsx")


def test_too_many_parts_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for i in range(importing.MAX_ZIP_MEMBERS + 1):
            zf.writestr(f"xl/part{i}.xml", "<a/>")
    assert "too many parts" in run_pure(buffer.getvalue(), "parts.xlsx")


def test_a_zip_that_lies_about_its_sizes_is_refused_without_inflating():
    """Headers claim 1000 bytes; the part inflates to 100 MB. zipfile stops at the claim."""
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER.split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    target = b"xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename.encode() == target:
                head, tail = body.split(b"</sheetData>")
                with zf.open(info.filename, "w", force_zip64=False) as part:
                    part.write(head + b"<!--")
                    for _ in range(100):
                        part.write(b"A" * (1024 * 1024))
                    part.write(b"--></sheetData>" + tail)
            else:
                zf.writestr(info, body)
    raw = bytearray(out.getvalue())
    for signature, name_len_at, name_at, size_at in (
        (b"PK\x03\x04", 26, 30, 22),
        (b"PK\x01\x02", 28, 46, 24),
    ):
        at = raw.find(signature)
        while at >= 0:
            n = struct.unpack_from("<H", raw, at + name_len_at)[0]
            if bytes(raw[at + name_at : at + name_at + n]) == target:
                struct.pack_into("<I", raw, at + size_at, 1000)
            at = raw.find(signature, at + 4)
    outcome = []
    peak = _peak_mb(lambda: outcome.append(run_pure(bytes(raw), "liar.xlsx")))
    assert outcome[0].startswith("The Excel file"), outcome[0]
    assert peak < 20, f"{peak:.1f} MB used"


# Through the real upload page and API, with the real import ---------------------------------

HOSTILE_FILES = {
    "nul-and-control.csv": (
        HEADER + "\nR\x00AA,AE\x1b_4HR,2019-\x0003,=1+1,\u202e10,200\n"
    ).encode(),
    "bidi-and-script.csv": (
        HEADER + "\n<script>alert(1)</script>,\u2066AE_4HR\u2069,2019-03,,10,200\n"
    ).encode(),
    "cp1252.csv": (HEADER + "\nRAA,AE_4HR,2019-03,\u00a35,,\n").encode("cp1252"),
    "utf16-no-bom.csv": (HEADER + "\nRXX,AE_4HR,2019-03,5,,\n").encode("utf-16-le"),
    "junk.csv": bytes(range(256)) * 20,
    "unbalanced-quotes.csv": (HEADER + '\n"RAA,AE_4HR,2019-03,5,,\n"x"y",,\n').encode(),
    "ragged.csv": (HEADER + "\nRAA,AE_4HR\nRAA,AE_4HR,2019-03,5,,,,,,,\n").encode(),
    "bomb.xlsx": None,  # big_bomb(), made when first used
    "fake.xlsx": b"PK\x03\x04" + b"\x00" * 200,
}


def _content(name: str) -> bytes:
    return HOSTILE_FILES[name] if HOSTILE_FILES[name] is not None else big_bomb()


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_hostile_upload_on_the_page_ends_rejected_with_reasons(name, cast, client_for):
    client = client_for("member_b")
    upload = SimpleUploadedFile(name, _content(name), content_type="application/octet-stream")
    response = client.post("/dashboard/imports/new/", {"file": upload, "source": "<b>x</b>"})
    assert response.status_code in (200, 302), response.content[:500]
    batch = ImportBatch.objects.filter(file_name=name).first()
    if batch is None:  # refused by the form: the page says why and keeps the user there
        assert response.status_code == 200
        assert "nhsuk-error-summary" in response.content.decode()
        return
    services.import_run(batch_id=batch.pk)  # on_commit does not run inside the test
    batch.refresh_from_db()
    assert batch.outcome == ImportBatch.Outcome.REJECTED, (batch.outcome, batch.job.message)
    assert batch.job.error == "", "a rejected file is the file's problem, not a crash"
    messages = list(ImportRowError.objects.filter(batch=batch).values_list("message", flat=True))
    assert messages and all(messages)
    page = client.get(f"/dashboard/imports/{batch.pk}/")
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.content.decode()
    report = client.get(f"/dashboard/imports/{batch.pk}/errors.csv")
    assert report.status_code == 200
    for line in report.content.decode().splitlines()[1:]:
        value = line.split(",")[2] if line.count(",") >= 3 else ""
        assert value[:1] not in ("=", "+", "@"), line


@pytest.mark.parametrize("name", ["nul-and-control.csv", "junk.csv", "bomb.xlsx", "fake.xlsx"])
def test_hostile_upload_on_the_api_is_accepted_or_400_never_500(name, cast, client_for):
    client = client_for("member_b")
    upload = SimpleUploadedFile(name, _content(name))
    response = client.post("/api/v1/observations/import/", {"file": upload})
    assert response.status_code in (202, 400), response.content[:500]
    if response.status_code == 400:
        assert "file" in response.json()
        return
    batch = ImportBatch.objects.get(job_id=response.json()["job"])
    services.import_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.outcome == ImportBatch.Outcome.REJECTED
    status = client.get(response.json()["status_url"]).json()
    assert status["outcome"] == "rejected" and status["errors_url"]
