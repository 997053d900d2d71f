"""Reading and checking indicator files (CSV or Excel) with pandas: no database here.

`read_table()` yields the file in chunks of text cells, whatever its format; `check_chunk()`
validates a chunk against a column mapping and the known providers and indicators, returning the
good rows (as numbers and ids) and one `RowError` per problem. `find_duplicates()` checks the
whole file's keys at the end. Whole-file problems (size, type, encoding, missing columns, too
many rows) raise `FileProblem` with a message for the person who uploaded it.

Safety: Excel files are opened read-only by openpyxl with formulas kept as text (never
evaluated; a cell holding a formula is an error), after checking the zip's member count,
uncompressed size, compression ratio and the size of each part read whole, so that a small
file cannot expand into gigabytes (Python's zipfile also refuses a member that inflates past
the size its header declares); XML is parsed through
defusedxml (installed), which openpyxl uses when present.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

CHUNK_ROWS = 200_000
MAX_UNCOMPRESSED_BYTES = 250 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
MAX_COMPRESSION_RATIO = 150
# openpyxl streams worksheets in read-only mode but reads every other part (shared strings,
# styles) whole into memory: those parts get a smaller cap of their own.
MAX_PART_BYTES = 32 * 1024 * 1024
MAX_EXCEL_ROWS = 1_000_000
MAX_ERRORS_KEPT = 5_000

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says why, in plain English."""


@dataclass(frozen=True)
class Mapping:
    """Which column holds what. Blank means the file has no such column."""

    provider: str = "provider"
    period: str = "period"
    indicator: str = "indicator"
    fixed_indicator: str = ""
    value: str = "value"
    numerator: str = "numerator"
    denominator: str = "denominator"
    filter_column: str = ""
    filter_value: str = ""
    status_column: str = ""
    provisional_values: str = ""
    optional: frozenset[str] = field(
        default_factory=lambda: frozenset({"numerator", "denominator"})
    )

    @classmethod
    def from_dict(cls, d: dict) -> Mapping:
        """From ColumnMapping.as_dict(): every column it names is required."""
        return cls(
            provider=d.get("provider", ""),
            period=d.get("period", ""),
            indicator=d.get("indicator", ""),
            fixed_indicator=d.get("fixed_indicator", ""),
            value=d.get("value", ""),
            numerator=d.get("numerator", ""),
            denominator=d.get("denominator", ""),
            filter_column=d.get("filter_column", ""),
            filter_value=d.get("filter_value", ""),
            status_column=d.get("status_column", ""),
            provisional_values=d.get("provisional_values", ""),
            optional=frozenset(),
        )

    def as_dict(self) -> dict:
        return {
            "provider": self.provider,
            "period": self.period,
            "indicator": self.indicator,
            "fixed_indicator": self.fixed_indicator,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "filter_column": self.filter_column,
            "filter_value": self.filter_value,
            "status_column": self.status_column,
            "provisional_values": self.provisional_values,
        }


STANDARD = Mapping()
STANDARD_COLUMNS = ["provider", "indicator", "period", "value", "numerator", "denominator"]


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    value: str
    message: str


@dataclass(frozen=True)
class IndicatorInfo:
    id: int
    kind: str
    multiplier: float
    frequency: str = "monthly"


@dataclass
class Checked:
    """The good rows of a chunk, as arrays, and the problems found."""

    row: np.ndarray
    provider_id: np.ndarray
    indicator_id: np.ndarray
    month: np.ndarray  # first month of the period: year * 12 + month - 1
    value: np.ndarray
    numerator: np.ndarray
    denominator: np.ndarray
    errors: list[RowError]
    error_rows: int
    skipped: int


# Reading --------------------------------------------------------------------------------------


def file_kind(file_name: str, head: bytes) -> str:
    name = file_name.lower()
    if head.startswith(b"PK\x03\x04"):
        if name.endswith(CSV_SUFFIXES):
            raise FileProblem("The file is called .csv but is a zip or Excel file")
        return "excel"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("Old Excel files (.xls) cannot be read. Save it as .xlsx or CSV")
    if name.endswith(EXCEL_SUFFIXES):
        raise FileProblem("The file is called .xlsx but is not an Excel file")
    if name.endswith(CSV_SUFFIXES) or not name.rsplit(".", 1)[-1:] or "." not in name:
        return "csv"
    raise FileProblem("The file must be a CSV file or an Excel workbook (.xlsx)")


def _csv_encoding(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(head) >= 4:  # UTF-16 saved without a byte order mark: every other byte is NUL
        odd, even = head[1::2], head[0::2]
        if not odd.strip(b"\x00") and b"\x00" not in even:
            return "utf-16-le"
        if not even.strip(b"\x00") and b"\x00" not in odd:
            return "utf-16-be"
    return "utf-8-sig"


def count_data_rows(source: bytes) -> int:
    """Roughly how many data rows a CSV has (for progress)."""
    return max(source.count(b"\n") - 1, 1)


@dataclass(frozen=True)
class Sheet:
    """Where a workbook keeps its table: the sheet's name, and cells its header row holds (the
    rows above it, a title block, are skipped; a row of group headings just above, such as
    'Available' over several columns, is put before each column's name)."""

    name: str
    header_has: tuple[str, ...] = ()


def sheet_names(source: bytes) -> list[str]:
    """The sheets of an Excel workbook ([] for a CSV file or a file that cannot be opened)."""
    import openpyxl

    if not bytes(source[:4]).startswith(b"PK\x03\x04"):
        return []
    handle = io.BytesIO(source)
    try:
        _check_zip(handle)
        workbook = openpyxl.load_workbook(handle, read_only=True)
    except Exception:  # damaged: the ordinary read says why
        return []
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def read_table(
    source, file_name: str, *, chunk_rows: int = CHUNK_ROWS, sheet: Sheet | None = None
) -> Iterator[pd.DataFrame]:
    """Yield the file's rows as DataFrames of stripped text cells, with column `_row`.

    `source` is the file's bytes or a binary file object (a path's open file, for commands).
    `sheet` names the worksheet of a workbook to read (else the first) and how to find its header.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        head = bytes(source[:8])
        kind = file_kind(file_name, head)
        handle = io.BytesIO(source)
    else:
        head = source.read(8)
        source.seek(0)
        kind = file_kind(file_name, head)
        handle = source
    if kind == "excel":
        yield from _read_excel(handle, chunk_rows, sheet)
    else:
        yield from _read_csv(handle, _csv_encoding(head), chunk_rows)


def _clean(df: pd.DataFrame, first_row: int) -> pd.DataFrame:
    # NUL cannot be stored in PostgreSQL text: show it as U+FFFD, so the cell is still wrong
    df.columns = [str(c).replace("\x00", "\ufffd").strip() for c in df.columns]
    df = (
        df.apply(lambda s: s.str.replace("\x00", "\ufffd", regex=False).str.strip())
        if len(df)
        else df
    )
    df["_row"] = np.arange(first_row, first_row + len(df), dtype=np.int64)
    return df


def _read_csv(handle, encoding: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    try:
        reader = pd.read_csv(
            handle,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding=encoding,
            chunksize=chunk_rows,
            skip_blank_lines=True,
            on_bad_lines="error",
            engine="c",
        )
        first = 2
        any_chunk = False
        for chunk in reader:
            any_chunk = True
            yield _clean(chunk, first)
            first += len(chunk)
        if not any_chunk:
            raise FileProblem("The file has no rows")
    except UnicodeDecodeError:
        raise FileProblem(
            "The file is not UTF-8 text. In Excel, save it as 'CSV UTF-8 (comma delimited)' "
            "and upload it again"
        ) from None
    except pd.errors.EmptyDataError:
        raise FileProblem("The file is empty") from None
    except pd.errors.ParserError as exc:
        detail = str(exc).split("\n")[0][:200]
        raise FileProblem(f"The file is not a readable CSV file ({detail})") from None


def _check_zip(handle) -> None:
    try:
        with zipfile.ZipFile(handle) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise FileProblem("The Excel file is damaged or not an .xlsx file") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise FileProblem("The Excel file has too many parts to be read safely")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNCOMPRESSED_BYTES:
        raise FileProblem(
            f"The Excel file would expand to {total // (1024 * 1024)} MB, more than the "
            f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB that can be read. Save it as CSV"
        )
    if total > 10 * 1024 * 1024 and total / packed > MAX_COMPRESSION_RATIO:
        raise FileProblem("The Excel file is compressed suspiciously well and was not opened")
    for info in infos:
        if info.file_size > MAX_PART_BYTES and not info.filename.startswith("xl/worksheets/"):
            raise FileProblem(
                "The Excel file has a part too large to be read safely "
                f"({info.filename[:60]}). Save it as CSV"
            )
    handle.seek(0)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if "T" in text and text.endswith("00:00:00") else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header(rows, sheet: Sheet | None) -> tuple[list[str], int]:
    """(column names, spreadsheet row of the header). Without a header to look for, the first
    row; with one, the first of the top 60 rows holding every cell named, its group headings
    (the row above, carried right across merged cells, when it starts right of the header's
    first column) put before each name."""
    if sheet is None or not sheet.header_has:
        header = next(rows, None)
        if header is None:
            raise FileProblem("The first sheet of the workbook is empty")
        return [_cell_text(c) for c in header], 1
    above: list[str] = []
    for number, raw in enumerate(rows, start=1):
        cells = [_cell_text(c) for c in raw]
        if set(sheet.header_has) <= set(cells):
            # group headings stand over later columns only; a title over the first is not one
            first = next(i for i, c in enumerate(cells) if c)
            if any(above[: first + 1]):
                above = []
            group, names, seen = "", [], set()
            for i, cell in enumerate(cells):
                group = above[i] if i < len(above) and above[i] else group
                name = f"{group} {cell}".strip() if cell and group else cell or f"Column {i + 1}"
                while name in seen:
                    name += " (again)"
                seen.add(name)
                names.append(name)
            return names, number
        if number >= 60:
            break
        above = cells
    raise FileProblem(
        f"The sheet '{sheet.name}' has no header row with "
        + ", ".join(f"'{c}'" for c in sheet.header_has)
    )


def _read_excel(handle, chunk_rows: int, wanted: Sheet | None = None) -> Iterator[pd.DataFrame]:
    import openpyxl

    _check_zip(handle)
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise FileProblem(f"The Excel file could not be opened ({type(exc).__name__})") from None
    try:
        if wanted is None:
            sheet = workbook.worksheets[0]
        else:
            named = {n.strip().lower(): n for n in workbook.sheetnames}
            if wanted.name.lower() not in named:
                raise FileProblem(f"The workbook has no sheet called '{wanted.name}'")
            sheet = workbook[named[wanted.name.lower()]]
        declared = sheet.max_row or 0
        if declared > MAX_EXCEL_ROWS + 1:
            raise FileProblem(
                f"The sheet has {declared:,} rows, more than {MAX_EXCEL_ROWS:,}. Save it as CSV"
            )
        rows = sheet.iter_rows(values_only=True)
        columns, header_row = _header(rows, wanted)
        width = len(columns)
        buffer: list[list[str]] = []
        first = header_row + 1
        count = 0
        for raw in rows:
            count += 1
            if count > MAX_EXCEL_ROWS:
                raise FileProblem(
                    f"The sheet has more than {MAX_EXCEL_ROWS:,} rows. Save it as CSV"
                )
            cells = [_cell_text(c) for c in raw[:width]]
            if not any(cells):
                continue
            cells += [""] * (width - len(cells))
            buffer.append(cells)
            if len(buffer) >= chunk_rows:
                yield _clean(pd.DataFrame(buffer, columns=columns, dtype=str), first)
                first += len(buffer)
                buffer = []
        if buffer or first == header_row + 1:
            if not buffer:
                raise FileProblem("The first sheet of the workbook has no rows")
            yield _clean(pd.DataFrame(buffer, columns=columns, dtype=str), first)
    finally:
        workbook.close()


# Checking -------------------------------------------------------------------------------------


def missing_columns(columns, mapping: Mapping) -> list[str]:
    present = set(columns)
    needed = [mapping.provider, mapping.period]
    if not mapping.fixed_indicator:
        needed.append(mapping.indicator)
    if mapping.filter_column:
        needed.append(mapping.filter_column)
    if mapping.status_column:
        needed.append(mapping.status_column)
    for key in ("value", "numerator", "denominator"):
        col = getattr(mapping, key)
        if col and key not in mapping.optional:
            needed.append(col)
    missing = [c for c in needed if c and c not in present]
    has_value = mapping.value and mapping.value in present
    has_pair = (
        mapping.numerator
        and mapping.denominator
        and mapping.numerator in present
        and mapping.denominator in present
    )
    if not has_value and not has_pair:
        wanted = " or ".join(
            c
            for c in (
                mapping.value,
                f"{mapping.numerator} and {mapping.denominator}"
                if mapping.numerator and mapping.denominator
                else "",
            )
            if c
        )
        missing.append(wanted)
    return list(dict.fromkeys(missing))


FORMULA = "This cell holds a formula. Formulas are not worked out: enter the value itself"
_MIDNIGHT = re.compile(r"[ T]00:00(?::00)?$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


_QUARTER_LABEL = re.compile(
    r"^(?:(?P<y1>\d{4})\s*[-/]\s*(?P<e1>\d{2}|\d{4})\s*,?\s*Q(?P<q1>[1-4])"
    r"|Q(?P<q2>[1-4])\s*,?\s*(?P<y2>\d{4})\s*[-/]\s*(?P<e2>\d{2}|\d{4}))$",
    re.IGNORECASE,
)
_YEAR_LABEL = re.compile(r"^(?:FY\s*)?(?P<y>\d{4})\s*[-/]\s*(?P<e>\d{2}|\d{4})$", re.IGNORECASE)
_MONTH_NAME = re.compile(r"^[A-Za-z]{3,9}[- ]\d{2}(?:\d{2})?$")


def _fy_end_ok(start: pd.Series, end: pd.Series) -> np.ndarray:
    """2018-19 or 2018/2019: the end is the next year."""
    s = pd.to_numeric(start, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    e = pd.to_numeric(end, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    short = e < 100
    return np.where(short, (s + 1) % 100 == e, s + 1 == e)


def _months(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(month index, ok mask, named length) of the first month of each period.

    Read: YYYY-MM or YYYY-MM-01 (a time of 00:00 is allowed), month names ("Mar-26",
    "Mar 2026", "March 2026"), financial-year quarters ("2018-19 Q3", "Q3 2018/19": Q1 starts
    in April) and financial years ("2018-19", "2018/2019": April to March). The named length
    is 3 for a quarter's name, 12 for a year's, else 1 (a date or a month). Whether a period
    fits its indicator's frequency is checked by `period_fits`.
    """
    timed = text.str.contains(":", regex=False)
    stripped = (
        text.where(~timed, text.str.replace(_MIDNIGHT, "", regex=True)) if timed.any() else text
    )
    when = pd.to_datetime(stripped, format="%Y-%m-%d", errors="coerce")
    short = when.isna().to_numpy() & (stripped != "").to_numpy()
    if short.any():
        when = when.copy()
        when[short] = pd.to_datetime(stripped[short], format="%Y-%m", errors="coerce")
    named = when.isna().to_numpy() & stripped.str.match(_MONTH_NAME).to_numpy(dtype=bool)
    if named.any():
        sub = stripped[named].str.replace(" ", "-", regex=False)
        parsed = pd.Series(pd.NaT, index=sub.index, dtype="datetime64[ns]")
        for fmt in ("%b-%y", "%b-%Y", "%B-%y", "%B-%Y"):
            todo = parsed.isna()
            if not todo.any():
                break
            parsed[todo] = pd.to_datetime(sub[todo], format=fmt, errors="coerce")
        when = when.copy()
        when[named] = parsed.to_numpy()
    year = when.dt.year.to_numpy(dtype=float, na_value=np.nan).copy()
    month = when.dt.month.to_numpy(dtype=float, na_value=np.nan).copy()
    day = when.dt.day.to_numpy(dtype=float, na_value=np.nan).copy()
    rest = when.isna().to_numpy() & (stripped != "").to_numpy()
    length = np.ones(len(text), dtype=np.int64)
    if rest.any():
        sub = stripped[rest]
        quarter = sub.str.extract(_QUARTER_LABEL)
        fy = quarter["y1"].fillna(quarter["y2"])
        end = quarter["e1"].fillna(quarter["e2"])
        q = pd.to_numeric(quarter["q1"].fillna(quarter["q2"]), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        good_q = ~np.isnan(q) & _fy_end_ok(fy, end)
        fy_n = pd.to_numeric(fy, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        first = 4 + (q - 1) * 3  # Q1 April, Q2 July, Q3 October, Q4 January (next year)
        q_year = np.where(first > 12, fy_n + 1, fy_n)
        q_month = np.where(first > 12, first - 12, first)
        annual = sub.str.extract(_YEAR_LABEL)
        good_y = ~good_q & annual["y"].notna().to_numpy() & _fy_end_ok(annual["y"], annual["e"])
        y_n = pd.to_numeric(annual["y"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        where = np.flatnonzero(rest)
        year[where] = np.where(good_q, q_year, np.where(good_y, y_n, np.nan))
        month[where] = np.where(good_q, q_month, np.where(good_y, 4, np.nan))
        day[where] = np.where(good_q | good_y, 1, np.nan)
        length[where] = np.where(good_q, 3, np.where(good_y, 12, 1))
    ok = (year >= 1990) & (year <= 2100) & (day == 1)
    index = np.where(ok, np.nan_to_num(year) * 12 + np.nan_to_num(month) - 1, 0).astype(np.int64)
    return index, ok, length


def period_fits(month: np.ndarray, frequency: np.ndarray, length=None) -> np.ndarray:
    """Does each period start (month index) begin a period of its indicator's frequency, and
    is a period given by name (a quarter's, a year's) one of that frequency?"""
    calendar_month = month % 12 + 1
    quarterly = frequency == "quarterly"
    annual = frequency == "annual"
    fits = (~quarterly | np.isin(calendar_month, (1, 4, 7, 10))) & (~annual | (calendar_month == 4))
    if length is not None:
        named = np.where(quarterly, 3, np.where(annual, 12, 1))
        fits &= (length == 1) | (length == named)
    return fits


def _numbers(text: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, blank mask, bad mask): numbers with optional thousands separators."""
    blank = (text == "").to_numpy()
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan).copy()
    retry = np.flatnonzero(~blank & ~np.isfinite(values))
    if retry.size:  # 1,234.5: thousands separators, only where plain parsing failed
        sub = text.iloc[retry]
        sub = sub.where(~sub.str.match(_THOUSANDS), sub.str.replace(",", "", regex=False))
        values[retry] = pd.to_numeric(sub, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~blank & ~np.isfinite(values)
    return values, blank, bad


PERIOD_HINT = (
    "Enter the period like 2019-03 (a month), 2018-19 Q3 (a quarter of the financial year) or "
    "2018-19 (a financial year)"
)


def _check_periods(cells: pd.Series, ind_text: pd.Series, indicators):
    """(month index, readable, frequency) of each row's period and indicator."""
    month, ok, length = _months(cells)
    frequency = ind_text.map({c: i.frequency for c, i in indicators.items()}).to_numpy(
        dtype=object, na_value="monthly"
    )
    return month, ok, length, frequency


MISFIT = {
    "monthly": "'{}' is not a month. The indicator is monthly: give the month like 2019-03",
    "quarterly": "'{}' does not start a quarter. The indicator is quarterly: give the quarter "
    "like 2018-19 Q3, or its first day (quarters start in January, April, July and October)",
    "annual": "'{}' does not start a financial year. The indicator is annual: give the year "
    "like 2018-19, or its first day (1 April)",
}


def check_chunk(
    df: pd.DataFrame,
    mapping: Mapping,
    *,
    providers: dict[str, int],
    indicators: dict[str, IndicatorInfo],
) -> Checked:
    """Validate one chunk from read_table(); every problem becomes a RowError."""
    errors: list[RowError] = []
    skipped = 0
    if mapping.filter_column:
        keep = (df[mapping.filter_column] == mapping.filter_value).to_numpy()
        skipped = int((~keep).sum())
        df = df[keep]
    n = len(df)
    rows = df["_row"].to_numpy()
    bad = np.zeros(n, dtype=bool)

    def report(mask: np.ndarray, column: str, cells: pd.Series | None, message) -> None:
        nonlocal bad
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        bad |= mask
        where = np.flatnonzero(mask)
        texts = cells.to_numpy()[where] if cells is not None else [""] * len(where)
        for i, text in zip(where.tolist(), texts, strict=True):
            if len(errors) >= MAX_ERRORS_KEPT:
                break
            msg = message(text) if callable(message) else message
            errors.append(RowError(int(rows[i]), column, str(text)[:200], msg))

    def unless_formula(message):
        """Formulas are text, never evaluated: a cell holding one says so."""

        def say(text):
            return FORMULA if str(text).startswith("=") else message(text)

        return say

    provider_text = df[mapping.provider].str.upper()
    provider_id = provider_text.map(providers).to_numpy(dtype=float, na_value=np.nan)
    report(
        (provider_text == "").to_numpy(), mapping.provider, None, "Enter the provider's ODS code"
    )
    report(
        np.isnan(provider_id) & (provider_text != "").to_numpy(),
        mapping.provider,
        df[mapping.provider],
        unless_formula(lambda t: f"No provider has the ODS code {t}"),
    )

    if mapping.fixed_indicator:
        ind_text = pd.Series([mapping.fixed_indicator.upper()] * n, index=df.index, dtype=str)
        ind_column = mapping.indicator or "indicator"
    else:
        ind_text = df[mapping.indicator].str.upper()
        ind_column = mapping.indicator
    ids = ind_text.map({c: i.id for c, i in indicators.items()})
    known = ids.notna().to_numpy()
    report(~known & (ind_text == "").to_numpy(), ind_column, None, "Enter the indicator code")
    report(
        ~known & (ind_text != "").to_numpy(),
        ind_column,
        ind_text,
        unless_formula(lambda t: f"No indicator has the code {t}"),
    )
    indicator_id = ids.to_numpy(dtype=float, na_value=-1).astype(np.int64)
    kind = ind_text.map({c: i.kind for c, i in indicators.items()}).to_numpy(dtype=object)
    multiplier = ind_text.map({c: i.multiplier for c, i in indicators.items()}).to_numpy(
        dtype=float, na_value=1.0
    )

    month, ok, length, frequency = _check_periods(df[mapping.period], ind_text, indicators)
    blank_period = (df[mapping.period] == "").to_numpy()
    report(blank_period, mapping.period, None, PERIOD_HINT)
    report(
        ~ok & ~blank_period,
        mapping.period,
        df[mapping.period],
        unless_formula(lambda t: f"'{t}' is not a period. {PERIOD_HINT}"),
    )
    misfit = ok & known & ~period_fits(month, frequency, length)
    for name, text in MISFIT.items():
        report(misfit & (frequency == name), mapping.period, df[mapping.period], text.format)

    def numbers(column: str):
        if column and column in df.columns:
            values, blank, not_number = _numbers(df[column])
            report(
                not_number, column, df[column], unless_formula(lambda t: f"'{t}' is not a number")
            )
            return values, blank
        return np.full(n, np.nan), np.ones(n, dtype=bool)

    value, value_blank = numbers(mapping.value)
    num, num_blank = numbers(mapping.numerator)
    den, den_blank = numbers(mapping.denominator)
    has_num, has_den = ~num_blank & np.isfinite(num), ~den_blank & np.isfinite(den)
    pair = has_num & has_den
    report(
        has_num ^ has_den,
        mapping.denominator if has_num.any() else mapping.numerator,
        None,
        "Give both the numerator and the denominator, or neither",
    )
    report(
        pair & (den == 0), mapping.denominator, None, "The denominator is 0, so there is no rate"
    )
    report(
        pair & (den < 0),
        mapping.denominator,
        df.get(mapping.denominator),
        "The denominator is negative",
    )
    report(
        pair & (num < 0), mapping.numerator, df.get(mapping.numerator), "The numerator is negative"
    )
    report(
        pair & (kind == "proportion") & (num > den) & (den > 0),
        mapping.numerator,
        df.get(mapping.numerator),
        "The numerator is larger than the denominator",
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        derived = num / den * multiplier
    has_value = ~value_blank & np.isfinite(value)
    mismatch = pair & has_value & (den > 0) & ~np.isclose(value, derived, rtol=1e-3, atol=0.05)
    report(
        mismatch,
        mapping.value,
        df.get(mapping.value),
        "The value does not match the numerator divided by the denominator",
    )
    report(
        value_blank & ~has_num & ~has_den,
        mapping.value or mapping.numerator,
        None,
        "Enter the value, or the numerator and denominator",
    )
    # A value given alone is checked as the numerator and denominator would have been.
    alone = ~pair & has_value & known
    report(
        alone & np.isin(kind, ["proportion", "rate"]) & (value < 0),
        mapping.value,
        df.get(mapping.value),
        unless_formula(lambda t: f"'{t}' is negative: a proportion or rate cannot be"),
    )
    over = alone & (kind == "proportion") & (value > multiplier * (1 + 1e-9))
    for whole in np.unique(multiplier[over]).tolist():
        limit = "100%" if whole == 100 else f"{whole:g}"
        report(
            over & (multiplier == whole),
            mapping.value,
            df.get(mapping.value),
            lambda t, limit=limit: (
                f"'{t}' is over {limit}: a proportion cannot be more than the whole"
            ),
        )
    final = np.where(pair & (den > 0), derived, value)

    good = ~bad
    return Checked(
        row=rows[good].astype(np.int64),
        provider_id=provider_id[good].astype(np.int64),
        indicator_id=indicator_id[good],
        month=month[good],
        value=final[good],
        numerator=np.where(pair, num, np.nan)[good],
        denominator=np.where(pair, den, np.nan)[good],
        errors=errors,
        error_rows=int(bad.sum()),
        skipped=skipped,
    )


def provisional_of(df: pd.DataFrame, mapping: Mapping, rows: np.ndarray) -> np.ndarray:
    """Whether each of the given rows (by `_row`) is marked provisional by the status column."""
    if not mapping.status_column or not rows.size:
        return np.zeros(rows.size, dtype=bool)
    wanted = {v.strip().lower() for v in mapping.provisional_values.split(",") if v.strip()}
    marked = df[mapping.status_column].str.lower().isin(wanted).to_numpy()
    at = np.searchsorted(df["_row"].to_numpy(), rows)
    return marked[at]


def month_key(provider_id: np.ndarray, indicator_id: np.ndarray, month: np.ndarray) -> np.ndarray:
    """One int64 per (provider, indicator, month): 31 + 16 + 16 bits."""
    return (
        (provider_id.astype(np.int64) << 32)
        | (indicator_id.astype(np.int64) << 16)
        | (month.astype(np.int64) - 1990 * 12)
    )


def find_duplicates(keys: np.ndarray, rows: np.ndarray, limit: int = MAX_ERRORS_KEPT):
    """RowErrors for the second and later rows with the same provider, indicator and period."""
    if keys.size < 2:
        return [], 0
    ordered = np.sort(keys)
    if not (ordered[1:] == ordered[:-1]).any():  # the usual case: one sort, no more memory
        return [], 0
    del ordered
    order = np.lexsort((rows, keys))
    k = keys[order]
    same = np.concatenate(([False], k[1:] == k[:-1]))
    first_of = np.maximum.accumulate(np.where(~same, np.arange(k.size), 0))
    dup = np.flatnonzero(same)
    errors = [
        RowError(
            int(rows[order[i]]),
            "",
            "",
            f"Duplicate of row {int(rows[order[first_of[i]]])}: same provider, indicator and period",
        )
        for i in dup[:limit]
    ]
    return errors, int(dup.size)
