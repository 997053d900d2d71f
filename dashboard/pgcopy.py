"""PostgreSQL binary COPY from numpy arrays, without a Python loop over rows.

Rows with the same pattern of NULLs have a fixed width, so each pattern is one numpy
structured array written as raw bytes. Float NaN is written as NULL in nullable columns.
"""

from __future__ import annotations

import numpy as np

HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
TRAILER = (-1).to_bytes(2, "big", signed=True)
PG_EPOCH_DAYS = 10957  # 2000-01-01 in days since 1970-01-01

_TYPES = {"int4": ">i4", "int8": ">i8", "float8": ">f8", "date": ">i4", "int2": ">i2"}


def encode(columns: list[tuple[str, str, bool]], arrays: dict[str, np.ndarray]) -> bytes:
    """COPY ... (FORMAT binary) body for columns [(name, type, nullable)]; dates as days since
    1970-01-01. Types: int2, int4, int8, float8, date."""
    n = len(arrays[columns[0][0]])
    nullable = [c for c in columns if c[2]]
    if nullable:
        pattern = np.zeros(n, dtype=np.int64)
        for bit, (name, _, _) in enumerate(nullable):
            pattern |= np.isnan(arrays[name]).astype(np.int64) << bit
        patterns = np.unique(pattern)
    else:
        pattern = np.zeros(n, dtype=np.int64)
        patterns = np.array([0])
    parts = [HEADER]
    for pat in patterns.tolist():
        rows = np.flatnonzero(pattern == pat)
        null = {name: bool(pat >> bit & 1) for bit, (name, _, _) in enumerate(nullable)}
        fields = [("nfields", ">i2")]
        for k, (name, kind, _) in enumerate(columns):
            fields.append((f"len{k}", ">i4"))
            if not null.get(name, False):
                fields.append((f"val{k}", _TYPES[kind]))
        rec = np.empty(rows.size, dtype=np.dtype(fields))
        rec["nfields"] = len(columns)
        for k, (name, kind, _) in enumerate(columns):
            if null.get(name, False):
                rec[f"len{k}"] = -1
                continue
            rec[f"len{k}"] = np.dtype(_TYPES[kind]).itemsize
            values = arrays[name][rows]
            rec[f"val{k}"] = values - PG_EPOCH_DAYS if kind == "date" else values
        parts.append(rec.tobytes())
    parts.append(TRAILER)
    return b"".join(parts)


def copy_in(cursor, table: str, columns: list[tuple[str, str, bool]], arrays) -> None:
    """Write the arrays into `table` with one COPY (a Django cursor on PostgreSQL)."""
    names = ", ".join(c[0] for c in columns)
    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT binary)") as copy:
        copy.write(encode(columns, arrays))
