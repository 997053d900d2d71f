"""Every write of the dashboard: imports, recompute requests, the catalogue, mappings, rebases.

Imports are all-or-nothing. A file is read and checked in chunks into a staging area (a
temporary table on PostgreSQL), outside any transaction so that progress reaches the page; only
if every row is good are the rows upserted, in one transaction, by (indicator, provider, month).
Rows whose value is unchanged are not touched, so re-importing a file changes nothing. Every
series whose data changed gets its data revision raised, and a recompute is queued on commit.
"""

from __future__ import annotations

import hashlib
import logging
import time
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from qsg import broker, dimensions, jobs, once
from qsg.models import Job, Provider
from qsg.screening import screen_pid

from . import access, importing, pgcopy, recompute
from .models import (
    INDICATOR_EDITABLE,
    ColumnMapping,
    ImportBatch,
    ImportRowError,
    Indicator,
    Observation,
    Rebase,
    SpcSeries,
)

log = logging.getLogger(__name__)

IMPORT_KIND = "dashboard.import"
RECOMPUTE_KIND = "dashboard.recompute"
TOKEN_SCOPE = "dashboard.import"  # noqa: S105 (a scope name, not a secret)
Status = Job.Status


def _stamp(instance, actor) -> None:
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor


# Jobs -----------------------------------------------------------------------------------------


def _enqueue(job: Job, task, **kwargs) -> None:
    """Publish the task; if the broker cannot be reached, say so on the job."""
    from celery import current_task

    options = {}
    request = getattr(current_task, "request", None)
    if request is not None and not request.called_directly:
        # Work caused by a task (an import's recompute) stays on that task's queue.
        queue = (request.delivery_info or {}).get("routing_key")
        if queue:
            options["queue"] = queue
    try:
        broker.publish(task, kwargs, **options)
    except broker.NOT_SENT as exc:
        log.warning("could not queue %s: %s", job.kind, exc)
        Job.objects.filter(pk=job.pk, status=Status.QUEUED).update(
            status=Status.NOT_QUEUED,
            key=None,
            message="The job could not be started. Try again in a few minutes.",
            finished_at=timezone.now(),
        )


def _claim(job_id) -> Job | None:
    """Take a queued job (or one whose worker died long ago); None if someone else has it."""
    return jobs.claim(
        job_id,
        stale_after=timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60),
        key=None,
        message="Started",
    )


class _Reporter:
    """Writes progress to the job row, at most twice a second."""

    def __init__(self, job: Job, start: int = 0, end: int = 100):
        self.job_id, self.start, self.end, self.last = job.pk, start, end, 0.0

    def __call__(self, fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and fraction < 1:
            return
        self.last = now
        progress = int(self.start + (self.end - self.start) * min(max(fraction, 0.0), 1.0))
        Job.objects.filter(pk=self.job_id).update(progress=progress, message=message[:300])


def _finish(job: Job, status: str, message: str, counts: dict | None = None, error: str = ""):
    Job.objects.filter(pk=job.pk).update(
        status=status,
        progress=100 if status == Status.SUCCEEDED else F("progress"),
        message=message[:300],
        counts=counts if counts is not None else job.counts,
        error=error,
        finished_at=timezone.now(),
        key=None,
    )


# Recompute --------------------------------------------------------------------------------------


def recompute_request(*, actor=None, full: bool = False) -> Job:
    """Queue a recompute. A request while one is still waiting joins that one."""
    from . import tasks

    mode = "full" if full else "changed"
    key = f"{RECOMPUTE_KIND}:{mode}"
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=RECOMPUTE_KIND,
                key=key,
                counts={"mode": mode},
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                message="Waiting to start",
            )
    except IntegrityError:
        existing = Job.objects.filter(key=key).first()
        if existing is not None:
            return existing
        return recompute_request(actor=actor, full=full)
    transaction.on_commit(lambda: _enqueue(job, tasks.recompute, job_id=str(job.pk)))
    return job


def recompute_run(*, job_id) -> Job | None:
    job = _claim(job_id)
    if job is None:
        return None
    full = (job.counts or {}).get("mode") == "full"
    try:
        # An attempt that ended early (worker killed, database gone) may have written every
        # series but not the peer comparisons; the next attempt finds those series done, so it
        # compares every indicator's providers again rather than only the ones it recomputed.
        counts = recompute.run(full=full, progress=_Reporter(job), all_peers=job.attempts > 1)
    except jobs.DATABASE_ERRORS:
        raise  # the task is tried again (qsg.jobs.JobTask) and takes the job over
    except Exception as exc:
        log.exception("dashboard recompute failed")
        _finish(job, Status.FAILED, "The recompute failed", error=type(exc).__name__)
        raise
    written = counts["series"]
    _finish(job, Status.SUCCEEDED, f"Worked out {written:,} series", counts=counts)
    return job


# Imports -----------------------------------------------------------------------------------------


def _mapping_of(mapping: ColumnMapping | None) -> dict:
    """What an import records of its mapping ({} for the standard columns)."""
    return mapping.as_dict() if mapping else {}


def screen_upload_names(file_name: str, source: str) -> None:
    """The name and source are shown on the import pages: no patient's details in them."""
    screen_pid({"file": ("The file's name", file_name), "source": ("Source of the data", source)})


def import_submit(
    *,
    actor,
    file_name: str,
    content: bytes,
    mapping: ColumnMapping | None = None,
    source: str = "",
    token: str | None = None,
) -> tuple[ImportBatch, bool]:
    """Store an uploaded file and queue its import. Returns (batch, created).

    A repeated form token, or the same file posted again by the same person while its import
    is still waiting or running, gives back the first batch instead of a second job.
    """
    from . import tasks

    if not access.is_analyst(actor):
        raise PermissionDenied("Only analysts can load indicator data")
    file_name = (file_name or "upload.csv").rsplit("/", 1)[-1][:255]
    screen_upload_names(file_name, source)
    if not content:
        raise ValidationError({"file": "The selected file is empty"})
    limit = settings.QSG_MAX_UPLOAD_BYTES
    if len(content) > limit:
        raise ValidationError(
            {"file": f"The file must be smaller than {limit // (1024 * 1024)} MB"}
        )
    try:
        importing.file_kind(file_name, bytes(content[:8]))
    except importing.FileProblem as problem:
        raise ValidationError({"file": str(problem)}) from None
    sha = hashlib.sha256(content).hexdigest()
    key = f"{IMPORT_KIND}:{actor.pk}:{sha}:{mapping.pk if mapping else 'standard'}"
    with transaction.atomic():
        claim = once.claim(user=actor, scope=TOKEN_SCOPE, token=token or "")
        if not claim.first and (batch := claim.earlier(ImportBatch)) is not None:
            return batch, False
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    kind=IMPORT_KIND,
                    key=key,
                    created_by=actor,
                    organisation_id=actor.organisation_id,
                    message="Waiting to start",
                )
        except IntegrityError:
            created = False
            job = Job.objects.filter(key=key).select_related("dashboard_import").first()
            if job is None:  # it finished in between: start afresh
                return import_submit(
                    actor=actor, file_name=file_name, content=content, mapping=mapping,
                    source=source, token=None,
                )  # fmt: skip
            batch = job.dashboard_import
        else:
            created = True
            batch = ImportBatch(
                job=job,
                file_name=file_name,
                file_size=len(content),
                file_sha256=sha,
                content=bytes(content),
                mapping=mapping,
                mapping_used=_mapping_of(mapping),
                source=(source or "").strip()[:120],
                uploaded_by=actor,
            )
            batch.full_clean(exclude=["content"])
            batch.save()
            transaction.on_commit(
                lambda: _enqueue(job, tasks.import_observations, batch_id=batch.pk)
            )
        claim.remember(batch)
    return batch, created


def import_run(*, batch_id: int, path: str | None = None) -> ImportBatch | None:
    """Run a queued import (from the task, or from a command with the file's path)."""
    batch = ImportBatch.objects.select_related("job").filter(pk=batch_id).first()
    if batch is None:
        log.info("dashboard import %s: no such batch", batch_id)
        return None
    job = _claim(batch.job_id)
    if job is None:
        log.info("dashboard import %s: job %s already taken", batch_id, batch.job_id)
        return None
    try:
        if path is not None:
            with open(path, "rb") as handle:
                _import(batch, job, handle)
        else:
            _import(batch, job, bytes(batch.content or b""))
    except jobs.DATABASE_ERRORS:
        # Nothing was written (the load is one transaction) and the file is kept: the task is
        # tried again (qsg.jobs.JobTask) and takes the job over.
        raise
    except Exception as exc:
        log.exception("dashboard import %s failed", batch.pk)
        ImportBatch.objects.filter(pk=batch.pk).update(
            outcome=ImportBatch.Outcome.FAILED, content=None
        )
        _finish(
            job, Status.FAILED, "The import failed. Nothing was loaded.", error=type(exc).__name__
        )
        if settings.CELERY_TASK_ALWAYS_EAGER:
            raise
        return batch
    batch.refresh_from_db()
    return batch


def _lookups():
    providers = dict(Provider.objects.values_list("ods_code", "pk"))
    indicators = {
        code: importing.IndicatorInfo(pk, kind, mult, frequency)
        for code, pk, kind, mult, frequency in Indicator.objects.filter(is_active=True).values_list(
            "code", "pk", "kind", "multiplier", "frequency"
        )
    }
    return providers, indicators


class _Stage:
    """Where checked rows wait until the whole file has been checked."""

    COLUMNS = [
        ("provider_id", "int4", False),
        ("indicator_id", "int4", False),
        ("period", "date", False),
        ("value", "float8", False),
        ("numerator", "float8", True),
        ("denominator", "float8", True),
        ("provisional", "int2", False),
    ]

    def __init__(self, batch_id: int):
        self.pg = connection.vendor == "postgresql"
        self.table = f"dash_import_{batch_id}"
        self.keys: list[np.ndarray] = []
        self.rows: list[np.ndarray] = []
        self.frames: list[dict] = []
        self.count = 0
        if self.pg:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
                cursor.execute(
                    f"CREATE TEMP TABLE {self.table} (provider_id integer, indicator_id integer, "
                    "period date, value double precision, numerator double precision, "
                    "denominator double precision, provisional smallint)"
                )

    def add(self, checked: importing.Checked, provisional: np.ndarray) -> None:
        if not checked.row.size:
            return
        self.keys.append(
            importing.month_key(checked.provider_id, checked.indicator_id, checked.month)
        )
        self.rows.append(checked.row.astype(np.int32))
        days = (checked.month - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")
        arrays = {
            "provider_id": checked.provider_id,
            "indicator_id": checked.indicator_id,
            "period": days.astype(np.int64),
            "value": checked.value,
            "numerator": checked.numerator,
            "denominator": checked.denominator,
            "provisional": provisional.astype(np.int16),
        }
        self.count += checked.row.size
        if self.pg:
            with connection.cursor() as cursor:
                pgcopy.copy_in(cursor, self.table, self.COLUMNS, arrays)
        else:
            self.frames.append(arrays)

    def duplicates(self):
        if not self.keys:
            return [], 0
        return importing.find_duplicates(np.concatenate(self.keys), np.concatenate(self.rows))

    def drop(self) -> None:
        if self.pg:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.table}")


def _import(batch: ImportBatch, job: Job, source) -> None:
    report = _Reporter(job, 0, 95)
    mapping = (
        importing.Mapping.from_dict(batch.mapping_used)
        if batch.mapping_used
        else importing.STANDARD
    )
    providers, indicators = _lookups()
    expected = importing.count_data_rows(source) if isinstance(source, bytes) else 0
    stage = _Stage(batch.pk)
    errors: list[importing.RowError] = []
    error_rows = read = skipped = 0
    try:
        try:
            for chunk in importing.read_table(source, batch.file_name):
                if read == 0:
                    missing = importing.missing_columns(chunk.columns, mapping)
                    if missing:
                        raise importing.FileProblem(
                            "The file has no column called " + ", ".join(f"'{m}'" for m in missing)
                        )
                checked = importing.check_chunk(
                    chunk, mapping, providers=providers, indicators=indicators
                )
                read += len(chunk)
                skipped += checked.skipped
                error_rows += checked.error_rows
                room = importing.MAX_ERRORS_KEPT - len(errors)
                errors += checked.errors[: max(room, 0)]
                stage.add(checked, importing.provisional_of(chunk, mapping, checked.row))
                fraction = read / expected if expected else 0.5
                report(0.7 * min(fraction, 1.0), f"Checked {read:,} rows")
        except importing.FileProblem as problem:
            _reject(
                batch, job, [importing.RowError(1, "", "", str(problem))], 1, read, str(problem)
            )
            return
        dup_errors, dup_count = stage.duplicates()
        errors += dup_errors[: max(importing.MAX_ERRORS_KEPT - len(errors), 0)]
        error_rows += dup_count
        if error_rows:
            _reject(batch, job, errors, error_rows, read, "")
            return
        if stage.count == 0:
            _reject(
                batch,
                job,
                [importing.RowError(1, "", "", "The file has no rows to load")],
                1,
                read,
                "The file has no rows to load",
            )
            return
        report(0.75, f"Saving {stage.count:,} rows")
        # The rows, the batch's outcome and the job's success are committed together: an
        # attempt stopped at any point (worker killed, database gone) leaves either all or none.
        with transaction.atomic():
            counts = _upsert(stage, batch)
            counts.update(rows_read=read, rows_skipped=skipped)
            _loaded(batch, job, counts)
    finally:
        stage.drop()
    if stage.pg and counts["rows_created"] + counts["rows_updated"] > 100_000:
        with connection.cursor() as cursor:  # fresh statistics for the planner after a big load
            cursor.execute("ANALYZE dashboard_observation")
            cursor.execute("ANALYZE dashboard_spcseries")


def _no_nul(text: str) -> str:
    """PostgreSQL text cannot hold NUL; a file's bytes can."""
    return text.replace("\x00", "\ufffd")


def _reject(batch, job, errors, error_rows: int, read: int, problem: str) -> None:
    with transaction.atomic():
        ImportRowError.objects.bulk_create(
            [
                ImportRowError(
                    batch=batch, row_number=e.row, column=_no_nul(e.column)[:80],
                    value=_no_nul(e.value)[:200], message=_no_nul(e.message)[:300],
                )
                for e in sorted(errors, key=lambda e: e.row)
            ],
            batch_size=1000,
        )  # fmt: skip
        ImportBatch.objects.filter(pk=batch.pk).update(
            outcome=ImportBatch.Outcome.REJECTED, rows_read=read, rows_invalid=error_rows,
            content=None,
        )  # fmt: skip
        message = problem or (
            f"{error_rows:,} row{'s' if error_rows != 1 else ''} "
            f"{'have' if error_rows != 1 else 'has'} problems. Nothing was loaded."
        )
        # In the same transaction: a retry never finds the errors stored and the job running.
        _finish(job, Status.FAILED, message, counts={"rows_read": read, "rows_invalid": error_rows})


_UPSERT_SQL = """
WITH up AS (
    INSERT INTO dashboard_observation AS o
        (provider_id, indicator_id, period, value, numerator, denominator, provisional, source,
         batch_id, updated_at)
    SELECT provider_id, indicator_id, period, value, numerator, denominator, provisional <> 0,
           %(source)s, %(batch)s, %(now)s
    FROM {stage}
    ORDER BY indicator_id, provider_id, period
    ON CONFLICT (indicator_id, provider_id, period) DO UPDATE SET
        value = EXCLUDED.value, numerator = EXCLUDED.numerator,
        denominator = EXCLUDED.denominator, provisional = EXCLUDED.provisional,
        source = EXCLUDED.source, batch_id = EXCLUDED.batch_id, updated_at = EXCLUDED.updated_at
    WHERE (o.value, o.numerator, o.denominator, o.provisional)
        IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.numerator, EXCLUDED.denominator,
                          EXCLUDED.provisional)
    RETURNING o.indicator_id, o.provider_id, (o.xmax = 0) AS inserted
),
changed AS (
    SELECT indicator_id, provider_id, count(*) FILTER (WHERE inserted) AS created,
           count(*) FILTER (WHERE NOT inserted) AS updated
    FROM up GROUP BY indicator_id, provider_id
),
bump AS (
    INSERT INTO dashboard_spcseries AS s
        (indicator_id, provider_id, data_revision, computed_revision, n_points, variation,
         assurance, latest_point_type, latest_special_cause, short_group, last_concern_label,
         groups, points, latest_provisional)
    SELECT indicator_id, provider_id, 1, 0, 0, '', '', '', '', false, '', '[]'::jsonb, ''::bytea,
           false
    FROM changed ORDER BY indicator_id, provider_id
    ON CONFLICT (indicator_id, provider_id) DO UPDATE SET data_revision = s.data_revision + 1
    RETURNING 1
)
SELECT (SELECT coalesce(sum(created), 0) FROM changed),
       (SELECT coalesce(sum(updated), 0) FROM changed),
       (SELECT count(*) FROM bump)
"""


def _upsert(stage: _Stage, batch: ImportBatch) -> dict:
    source = batch.source or batch.file_name[:120]
    now = timezone.now()
    if stage.pg:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                _UPSERT_SQL.format(stage=stage.table),
                {"source": source, "batch": batch.pk, "now": now},
            )
            created, updated, series = cursor.fetchone()
            if series:
                job = recompute_request(actor=batch.uploaded_by)
                ImportBatch.objects.filter(pk=batch.pk).update(recompute_job=job)
    else:
        created, updated, series = _upsert_generic(stage, batch, source, now)
    created, updated = int(created), int(updated)
    return {
        "rows_created": created,
        "rows_updated": updated,
        "rows_unchanged": stage.count - created - updated,
        "series_changed": int(series),
    }


def _upsert_generic(stage: _Stage, batch: ImportBatch, source: str, now):
    """The same upsert through the ORM, for the SQLite demo (small files)."""
    import datetime as dt

    data = {k: np.concatenate([f[k] for f in stage.frames]) for k in stage.frames[0]}
    epoch = dt.date(1970, 1, 1)
    incoming = {}
    for i in range(data["value"].size):
        key = (
            int(data["indicator_id"][i]),
            int(data["provider_id"][i]),
            epoch + dt.timedelta(days=int(data["period"][i])),
        )
        num, den = data["numerator"][i], data["denominator"][i]
        incoming[key] = (
            float(data["value"][i]),
            None if np.isnan(num) else float(num),
            None if np.isnan(den) else float(den),
            bool(data["provisional"][i]),
        )
    with transaction.atomic():
        existing = {}
        for row in Observation.objects.filter(
            indicator_id__in={k[0] for k in incoming}, provider_id__in={k[1] for k in incoming}
        ).values_list("pk", "indicator_id", "provider_id", "period", "value", "numerator",
                      "denominator", "provisional"):  # fmt: skip
            existing[(row[1], row[2], row[3])] = (row[0], row[4:])
        new, changed, pairs = [], [], set()
        for key, vals in incoming.items():
            old = existing.get(key)
            if old is None:
                new.append(
                    Observation(
                        indicator_id=key[0], provider_id=key[1], period=key[2], value=vals[0],
                        numerator=vals[1], denominator=vals[2], provisional=vals[3],
                        source=source, batch=batch, updated_at=now,
                    )
                )  # fmt: skip
            elif tuple(old[1]) != vals:
                changed.append(
                    Observation(
                        pk=old[0], value=vals[0], numerator=vals[1], denominator=vals[2],
                        provisional=vals[3], source=source, batch=batch, updated_at=now,
                    )
                )  # fmt: skip
            else:
                continue
            pairs.add(key[:2])
        Observation.objects.bulk_create(new, batch_size=1000)
        Observation.objects.bulk_update(
            changed,
            ["value", "numerator", "denominator", "provisional", "source", "batch", "updated_at"],
            batch_size=1000,
        )
        _bump_series(pairs)
        if pairs:
            job = recompute_request(actor=batch.uploaded_by)
            ImportBatch.objects.filter(pk=batch.pk).update(recompute_job=job)
    return len(new), len(changed), len(pairs)


def _bump_series(pairs) -> None:
    """Raise the data revision of each (indicator id, provider id) series, creating it if new."""
    pairs = sorted(pairs)
    if not pairs:
        return
    have = {}
    for k in range(0, len(pairs), 500):
        part = pairs[k : k + 500]
        q = Q()
        for ind, prov in part:
            q |= Q(indicator_id=ind, provider_id=prov)
        have.update(
            {(i, p): pk for pk, i, p in SpcSeries.objects.filter(q).values_list(
                "pk", "indicator_id", "provider_id")}
        )  # fmt: skip
    SpcSeries.objects.filter(pk__in=list(have.values())).update(
        data_revision=F("data_revision") + 1
    )
    SpcSeries.objects.bulk_create(
        [SpcSeries(indicator_id=i, provider_id=p) for i, p in pairs if (i, p) not in have],
        batch_size=1000,
    )


def _loaded(batch: ImportBatch, job: Job, counts: dict) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        outcome=ImportBatch.Outcome.LOADED,
        content=None,
        rows_read=counts["rows_read"],
        rows_created=counts["rows_created"],
        rows_updated=counts["rows_updated"],
        rows_unchanged=counts["rows_unchanged"],
        series_changed=counts["series_changed"],
    )
    if counts["rows_created"] or counts["rows_updated"]:
        message = (
            f"Loaded: {counts['rows_created']:,} new and {counts['rows_updated']:,} changed "
            f"values, {counts['rows_unchanged']:,} unchanged"
        )
    else:
        message = f"Nothing changed: all {counts['rows_unchanged']:,} values were already loaded"
    _finish(job, Status.SUCCEEDED, message, counts=counts)


def import_file(*, actor, path: str, mapping: ColumnMapping | None = None, source: str = ""):
    """Import a file from disk in this process (the management command): no size limit."""
    import os

    if not access.is_analyst(actor):
        raise PermissionDenied("Only analysts can load indicator data")
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        head = handle.read(8)
        handle.seek(0)
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    try:
        importing.file_kind(path, head)
    except importing.FileProblem as problem:
        raise ValidationError(str(problem)) from None
    with transaction.atomic():
        job = Job.objects.create(kind=IMPORT_KIND, created_by=actor, message="Waiting to start")
        batch = ImportBatch.objects.create(
            job=job,
            file_name=os.path.basename(path)[:255],
            file_size=os.path.getsize(path),
            file_sha256=digest.hexdigest(),
            mapping=mapping,
            mapping_used=_mapping_of(mapping),
            source=source[:120],
            uploaded_by=actor,
        )
    return import_run(batch_id=batch.pk, path=path)


# Catalogue ---------------------------------------------------------------------------------------

INDICATOR_FIELDS = frozenset(INDICATOR_EDITABLE)
_JUDGEMENT_FIELDS = {"improvement_direction", "target", "kind", "multiplier"}


# The catalogue's words (shown on every indicator page) and an analyst's notes: no patient's details.
INDICATOR_TEXT = {
    "name": "Name",
    "metric": "Metric",
    "unit": "Unit",
    "target_note": "Target note",
    "notes": "Notes",
    "definition": "Definition",
    "source": "Source",
}


def _screen_indicator(fields: dict) -> None:
    screen_pid({k: (label, fields.get(k)) for k, label in INDICATOR_TEXT.items() if k in fields})


def _dimension(fields: dict, *, keeps: str = "") -> None:
    """An indicator is classed under a quality dimension the profile offers (an older alias reads
    as its row's code); one it already has stays valid when no longer offered."""
    if "quality_dimension" not in fields:
        return
    given = fields["quality_dimension"]
    if keeps and given == keeps:
        return
    code = dimensions.resolve(given) if isinstance(given, str) else None
    if code is None:
        if given in (None, ""):
            raise ValidationError({"quality_dimension": "Choose the quality dimension"})
        raise ValidationError({"quality_dimension": dimensions.unknown_message(str(given))})
    fields["quality_dimension"] = code


def _require_catalogue(actor) -> None:
    if not access.can_edit_catalogue(actor):
        raise PermissionDenied("Only analysts can change the indicator catalogue")


@transaction.atomic
def indicator_create(*, actor, code: str, **fields) -> Indicator:
    _require_catalogue(actor)
    unknown = set(fields) - INDICATOR_FIELDS
    if unknown:
        raise ValidationError(f"These fields cannot be set: {', '.join(sorted(unknown))}")
    _screen_indicator(fields)
    if "quality_dimension" not in fields:
        raise ValidationError({"quality_dimension": "Choose the quality dimension"})
    _dimension(fields)
    code = code.strip().upper()
    if Indicator.objects.filter(code=code).exists():
        raise ValidationError({"code": f"An indicator with the code {code} already exists"})
    indicator = Indicator(code=code, **fields)
    indicator.full_clean()
    _stamp(indicator, actor)
    indicator.save()
    return indicator


@transaction.atomic
def indicator_update(*, actor, indicator: Indicator, **changes) -> Indicator:
    """Change the catalogue entry; a new direction, target or kind re-judges every series."""
    _require_catalogue(actor)
    unknown = set(changes) - INDICATOR_FIELDS
    if unknown:
        raise ValidationError(f"These fields cannot be changed: {', '.join(sorted(unknown))}")
    _screen_indicator(changes)
    _dimension(changes, keeps=indicator.quality_dimension)
    changed = {k for k, v in changes.items() if getattr(indicator, k) != v}
    if "frequency" in changed and Observation.objects.filter(indicator=indicator).exists():
        raise ValidationError(
            {
                "frequency": "The indicator already has data at its present frequency. "
                "Add a new indicator for data published at another frequency"
            }
        )
    for key, value in changes.items():
        setattr(indicator, key, value)
    indicator.full_clean()
    _stamp(indicator, actor)
    if changed:
        indicator.save(update_fields=[*changed, "updated_at"])
    if changed & _JUDGEMENT_FIELDS:
        SpcSeries.objects.filter(indicator=indicator).update(data_revision=F("data_revision") + 1)
        recompute_request(actor=actor)
    return indicator


@transaction.atomic
def mapping_create(*, actor, **fields) -> ColumnMapping:
    access.require_analyst(actor)
    screen_pid(
        {
            "name": ("Name", fields.get("name")),
            "description": ("Description", fields.get("description")),
            "filter_value": ("Filter value", fields.get("filter_value")),
        }
    )
    mapping = ColumnMapping(created_by=actor, **fields)
    mapping.full_clean()
    _stamp(mapping, actor)
    mapping.save()
    return mapping


@transaction.atomic
def rebase_add(*, actor, provider, indicator: Indicator, period, reason: str) -> Rebase:
    """Judge a provider's series afresh from a period (a known change in how care is given)."""
    from . import periods

    access.require_analyst(actor)
    screen_pid({"reason": ("Reason", reason)})
    if not periods.is_start(period, indicator.frequency):
        raise ValidationError(
            {"period": f"Choose the first day of a {periods.noun(indicator.frequency, 1)}"}
        )
    if Rebase.objects.filter(provider=provider, indicator=indicator, period=period).exists():
        raise ValidationError(
            {
                "period": f"The series is already rebased from that {periods.noun(indicator.frequency, 1)}"
            }
        )
    rebase = Rebase(
        provider=provider, indicator=indicator, period=period, reason=reason.strip(),
        created_by=actor,
    )  # fmt: skip
    rebase.full_clean()
    _stamp(rebase, actor)
    rebase.save()
    _rejudge(actor, provider.pk, indicator.pk)
    return rebase


def _rejudge(actor, provider_id: int, indicator_id: int) -> None:
    """A series' rebases changed: mark it for recompute and queue one."""
    SpcSeries.objects.filter(provider_id=provider_id, indicator_id=indicator_id).update(
        data_revision=F("data_revision") + 1
    )
    recompute_request(actor=actor)
