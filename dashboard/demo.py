"""Demo data: the real NHS England figures in shared/data for the demo's trusts, with SPC.

A&E four-hour waits and KH03 bed occupancy (quarterly) for April 2016 to March 2019; referral to
treatment and the three cancer waiting time standards for April 2022 to April 2026. The demo's
providers are the 2013 network's (from the A&E data): the 2022-2026 figures are placed on the
same trusts, and on the successors of those that merged since (created in the predecessor's
QSG), with a note on each indicator. Every file goes through the same import as an analyst's
upload (its column mapping), in-process; a file already loaded is skipped, so a second run is
quick and changes nothing.

Each file is cut to what the demo holds before it is loaded: the rows of its providers, the
2016-2019 window for KH03, and no month with no patients (a rate of 0 out of 0 is not a value:
the month shows as missing).
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.db.models import F

from qsg.demo import ANALYSTS_GROUP, shared_dir
from qsg.models import Organisation, Provider, User

from .apps import ensure_analyst_group
from .models import ColumnMapping, ImportBatch, ProviderSuccession, SpcSeries

AE_MAPPING = "NHS England A&E attendances: type 1, 4-hour breaches"
AE_SOURCE = "NHS England A&E attendances and emergency admissions, April 2016 to March 2019"


@dataclass(frozen=True)
class DemoFile:
    file: str
    mapping: str
    source: str
    first: str = ""  # first period kept (ISO date), blank for all
    last: str = ""
    positive: str = ""  # a column that must be above 0 (a denominator)


FILES = [
    DemoFile("ae_attendances.csv", AE_MAPPING, AE_SOURCE),
    DemoFile(
        "kh03_overnight_beds.csv",
        "KH03 overnight beds: general and acute occupancy",
        "NHS England KH03 bed availability and occupancy, 2016-17 to 2018-19",
        first="2016-04-01",
        last="2019-01-01",
        positive="beds_available",
    ),
    DemoFile(
        "rtt_incomplete_pathways.csv",
        "RTT incomplete pathways: within 18 weeks",
        "NHS England RTT waiting times, April 2022 to April 2026",
        positive="incomplete_pathways",
    ),
    DemoFile(
        "rtt_incomplete_pathways.csv",
        "RTT incomplete pathways: over 52 weeks",
        "NHS England RTT waiting times, April 2022 to April 2026",
    ),
    *(
        DemoFile(
            "cancer_waiting_times.csv",
            f"Cancer waiting times: {label}",
            "NHS England Cancer Waiting Times, April 2022 to April 2026",
            positive="total",
        )
        for label in ("28-day faster diagnosis", "31-day combined", "62-day combined")
    ),
]


def _analyst():
    return (
        User.objects.filter(groups__name=ANALYSTS_GROUP, organisation__isnull=False)
        .order_by("username")
        .first()
    )


def ensure_successors() -> int:
    """Create each successor the demo lacks in its first predecessor's QSG (2013 network)."""
    from qsg import services as qsg_services

    have = dict(Provider.objects.values_list("ods_code", "pk"))
    created = 0
    for succession in ProviderSuccession.objects.order_by("successor", "predecessor"):
        if succession.successor in have or succession.predecessor not in have:
            continue
        before = Provider.objects.select_related("qsg").get(ods_code=succession.predecessor)
        icb = Organisation.objects.filter(
            name=f"NHS {before.qsg.footprint} Integrated Care Board"
        ).first()
        provider = qsg_services.provider_create(
            actor=None,
            ods_code=succession.successor,
            name=f"{succession.successor} NHS Trust",
            sector=before.sector,
            qsg=before.qsg,
            commissioners=[icb] if icb else [],
        )
        have[provider.ods_code] = provider.pk
        created += 1
    return created


def demo_rows(spec: DemoFile, providers: set[str]) -> bytes:
    """The file cut to the demo's providers, window and positive denominators, as CSV bytes."""
    import pandas as pd

    frame = pd.read_csv(shared_dir() / "data" / spec.file, dtype=str, keep_default_na=False)
    keep = frame["org_code"].str.upper().isin(providers)
    if spec.first:
        keep &= frame["period"] >= spec.first
    if spec.last:
        keep &= frame["period"] <= spec.last
    if spec.positive:
        keep &= pd.to_numeric(frame[spec.positive], errors="coerce") > 0
    return frame[keep].to_csv(index=False).encode()


NOTE_2022 = (
    "2022-2026 data shown on the 2022 network: each trust's figures sit with its integrated "
    "care system's System Quality Group."
)
RECENT = ("RTT_WITHIN_18WK", "RTT_OVER_52WK", "CANCER_FDS28", "CANCER_31D", "CANCER_62D")


def note_the_network() -> None:
    """The 2022-2026 indicators say on which network their data is placed (the migration's
    note is the 2013 network's; the 2022 profile places them on its own systems)."""
    from qsg import vocabulary

    from .models import Indicator

    if vocabulary.profile() == "2022":
        Indicator.objects.filter(code__in=RECENT, notes__startswith="2022-2026 data").update(
            notes=NOTE_2022
        )


def seed_dashboard(*, stdout=None, password=None) -> None:
    from . import recompute, services

    ensure_analyst_group()
    note_the_network()
    analyst = _analyst()
    if analyst is None or not (shared_dir() / "data" / FILES[0].file).exists():
        return
    started = time.monotonic()
    ensure_successors()
    providers = set(Provider.objects.values_list("ods_code", flat=True))
    loaded = []
    with tempfile.TemporaryDirectory(prefix="qsg-demo-") as folder:
        for spec in FILES:
            if not (shared_dir() / "data" / spec.file).exists():
                continue
            content = demo_rows(spec, providers)
            digest = hashlib.sha256(content).hexdigest()
            mapping = ColumnMapping.objects.get(name=spec.mapping)
            if ImportBatch.objects.filter(
                file_sha256=digest, mapping=mapping, outcome=ImportBatch.Outcome.LOADED
            ).exists():
                continue
            path = Path(folder) / spec.file
            path.write_bytes(content)
            batch = services.import_file(
                actor=analyst, path=str(path), mapping=mapping, source=spec.source
            )
            if batch is not None:
                loaded.append((spec, batch))
    if SpcSeries.objects.exclude(computed_revision=F("data_revision")).exists():
        recompute.run()  # the demo runs tasks in-process, so this is only a safety net
    if stdout is not None:
        for spec, batch in loaded:
            stdout.write(
                f"Dashboard: {spec.mapping}: {batch.rows_created + batch.rows_updated} values "
                f"({batch.get_outcome_display().lower()}) for {batch.series_changed} providers."
            )
        stdout.write(f"Dashboard data seeded in {time.monotonic() - started:.1f} s.")
