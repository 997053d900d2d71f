"""Small builders for dashboard tests: CSV text, and loading it the way an analyst does."""

from __future__ import annotations

import datetime as dt
import math

from dashboard import recompute, services
from dashboard.models import ImportBatch

HEADER = "provider,indicator,period,value,numerator,denominator\n"


def months(start: dt.date, n: int) -> list[dt.date]:
    out, y, m = [], start.year, start.month
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        m += 1
        if m > 12:
            y, m = y + 1, 1
    return out


def ae_rows(
    code: str,
    n: int = 24,
    base: float = 0.10,
    shift_at: int | None = None,
    shift: float = 0.0,
    attendances: int = 5000,
    start=dt.date(2017, 1, 1),
) -> list[str]:
    """Rows of AE_4HR for one provider: a wiggle around `base`, optionally a step up."""
    rows = []
    for i, period in enumerate(months(start, n)):
        p = (
            base
            + 0.01 * math.sin(i * 1.7)
            + (shift if shift_at is not None and i >= shift_at else 0)
        )
        breaches = round(p * attendances)
        rows.append(f"{code},AE_4HR,{period:%Y-%m},,{breaches},{attendances}")
    return rows


def csv_bytes(rows: list[str]) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def load(actor, content: bytes, *, file_name="data.csv", mapping=None, recompute_now=True):
    """Submit and run an import in this process (on_commit does not fire inside test
    transactions), then recompute. Returns the refreshed batch."""
    batch, _ = services.import_submit(
        actor=actor, file_name=file_name, content=content, mapping=mapping
    )
    services.import_run(batch_id=batch.pk)
    if recompute_now:
        recompute.run()
    return ImportBatch.objects.select_related("job").get(pk=batch.pk)


def seed_cast_data(cast) -> None:
    """AE_4HR for the cast's acute providers (idempotent): a1 with a step up (concern)."""
    from dashboard.models import SpcSeries

    if SpcSeries.objects.filter(provider=cast.providers["provider_a1"]).exists():
        return
    rows = (
        ae_rows("RAA", shift_at=16, shift=0.08)
        + ae_rows("RBA", base=0.12)
        + ae_rows("RCA", base=0.09)
        + ae_rows("RAB", base=0.11)
    )
    load(cast.users["member_b"], csv_bytes(rows))
