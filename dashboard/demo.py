"""Demo data: the real A&E 4-hour figures for the demo's trusts, with SPC worked out.

Loaded through the same import as an analyst's upload (the A&E column mapping), in-process;
skipped when the same file has already been loaded, so a second run is quick and changes nothing.
"""

from __future__ import annotations

import hashlib

from django.db.models import F

from qsg.demo import ANALYSTS_GROUP, shared_dir
from qsg.models import User

from .apps import ensure_analyst_group
from .models import ColumnMapping, ImportBatch, SpcSeries

AE_MAPPING = "NHS England A&E attendances: type 1, 4-hour breaches"
AE_SOURCE = "NHS England A&E attendances and emergency admissions, April 2016 to March 2019"


def seed_dashboard(*, stdout=None, password=None) -> None:
    from . import recompute, services

    ensure_analyst_group()
    path = shared_dir() / "data" / "ae_attendances.csv"
    analyst = (
        User.objects.filter(groups__name=ANALYSTS_GROUP, organisation__isnull=False)
        .order_by("username")
        .first()
    )
    if analyst is None or not path.exists():
        return
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if (
        ImportBatch.objects.filter(file_sha256=digest, outcome=ImportBatch.Outcome.LOADED).exists()
        and not SpcSeries.objects.filter(computed_revision=0).exists()
    ):
        return
    mapping = ColumnMapping.objects.get(name=AE_MAPPING)
    batch = services.import_file(actor=analyst, path=str(path), mapping=mapping, source=AE_SOURCE)
    if SpcSeries.objects.exclude(computed_revision=F("data_revision")).exists():
        recompute.run()  # the demo runs tasks in-process, so this is only a safety net
    if stdout is not None and batch is not None:
        stdout.write(
            f"Dashboard: {batch.rows_created + batch.rows_updated} A&E values loaded "
            f"for {batch.series_changed} trusts."
        )
