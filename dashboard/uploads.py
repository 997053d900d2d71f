"""An analyst's upload, before the import: NHS England's published layouts are recognised and
previewed (what will load, what is left out), and loaded only once the analyst confirms. A file
in the standard columns, or with a column mapping chosen, goes straight to the import."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from qsg.models import Provider

from . import access, context, importing, periods, presets, services
from .models import ImportBatch, Indicator, PendingUpload


def _columns(file_name: str, content: bytes, sheet=None) -> list[str]:
    try:
        first = next(importing.read_table(content, file_name, chunk_rows=5, sheet=sheet))
    except importing.FileProblem as problem:
        raise ValidationError({"file": str(problem)}) from None
    return [c for c in first.columns if c != "_row"]


def _recognise(file_name: str, content: bytes):
    """(the published layout the file is in or None, the columns of its first sheet): a
    workbook is looked at in the sheets of known workbook layouts first."""
    for sheet in presets.sheets_to_try(importing.sheet_names(content)):
        try:
            found = presets.recognise(_columns(file_name, content, sheet), sheet)
        except ValidationError:
            found = None  # the sheet is there but not laid out as published
        if found is not None:
            return found, []
    columns = _columns(file_name, content)
    return presets.recognise(columns), columns


def upload(*, actor, file_name: str, content: bytes, mapping=None, source: str = "", token=None):
    """A PendingUpload to preview (a published layout), or the ImportBatch of a queued import."""
    access.require_analyst(actor)
    services.screen_upload_names(file_name, source)
    if mapping is None and content:
        preset, columns = _recognise(file_name, content)
        if preset is not None:
            return PendingUpload.objects.create(
                preset=preset.key,
                file_name=(file_name or "upload.csv").rsplit("/", 1)[-1][:255],
                content=bytes(content),
                uploaded_by=actor,
            )
        missing = importing.missing_columns(columns, importing.STANDARD)
        if missing:
            shown = ", ".join(f"'{c}'" for c in columns[:12])
            raise ValidationError(
                {
                    "mapping": "The file is in none of NHS England's published layouts this "
                    "service knows, and has no column called "
                    + ", ".join(f"'{m}'" for m in missing)
                    + f". Its columns are {shown}. Choose a column mapping that says which "
                    "column holds what, or add one on the column mappings page"
                }
            )
    batch, _ = services.import_submit(
        actor=actor, file_name=file_name, content=content, mapping=mapping, source=source,
        token=token,
    )  # fmt: skip
    return batch


def pending_for_user(user, pk) -> PendingUpload:
    """The user's own pending upload (anyone else's answers as if it did not exist)."""
    found = PendingUpload.objects.filter(pk=pk, uploaded_by=user).first()
    if found is None:
        raise Http404
    return found


def _build(pending: PendingUpload):
    preset = presets.by_key(pending.preset)
    if preset is None:
        raise ValidationError("The layout of this file is no longer known. Upload it again")
    frames = list(
        importing.read_table(bytes(pending.content), pending.file_name, sheet=preset.sheet)
    )
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    rows, notes = preset.build(frame)
    catalogue = {
        code: (name, frequency)
        for code, name, frequency in Indicator.objects.filter(is_active=True).values_list(
            "code", "name", "frequency"
        )
    }
    # a metric with no indicator in the catalogue is listed, not loaded
    missing = sorted(set(rows["indicator"]) - set(catalogue))
    if missing:
        notes["left_out"][f"metrics with no indicator in the catalogue ({', '.join(missing[:8])}"
                          f"{' and others' if len(missing) > 8 else ''})"] = int(
            (~rows["indicator"].isin(catalogue)).sum()
        )  # fmt: skip
        rows = rows[rows["indicator"].isin(catalogue)]
    rows = _to_frequency(rows, {c: f for c, (_, f) in catalogue.items()})
    providers = set(Provider.objects.values_list("ods_code", flat=True))
    kept, per, unknown = presets.summarise(rows, providers)
    segments = notes.pop("segments", None)
    if segments is not None:
        segments = segments[segments["provider"].isin(providers)]
    names = {c: n for c, (n, _) in catalogue.items()}
    for item in per:
        item["name"] = names.get(item["indicator"], item["indicator"])
        frequency = catalogue.get(item["indicator"], ("", "monthly"))[1]
        for end in ("first", "last"):  # named as the matrix names them: Mar 2026, Q3 2018-19
            item[f"{end}_label"] = _period_label(item[end], frequency)
    return preset, kept, {"per": per, "unknown": unknown, "notes": notes,
                          "unknown_rows": len(rows) - len(kept),
                          "segments": _segment_summary(segments)}  # fmt: skip


def _period_label(text: str, frequency: str) -> str:
    try:
        day = dt.date(int(text[:4]), int(text[5:7]), 1)
    except (TypeError, ValueError):
        return text
    return periods.label(day, frequency)


def _segment_summary(segments) -> dict | None:
    """The NHS Oversight Framework segments a file carries for the service's providers."""
    if segments is None or segments.empty:
        return None
    latest = segments.sort_values("as_of").drop_duplicates("provider", keep="last")
    return {
        "providers": int(segments["provider"].nunique()),
        "quarters": sorted(set(segments["quarter"]), key=presets.nof_quarter),
        "latest": latest.sort_values("provider").to_dict("records"),
        "frame": segments,
    }


def _to_frequency(rows: pd.DataFrame, frequency: dict[str, str]) -> pd.DataFrame:
    """A month given for a quarterly or annual indicator is read as the period containing it
    (a quarter's reporting month, like Mar-26, names the quarter January to March 2026)."""
    if rows.empty:
        return rows

    def start(row) -> str:
        text, freq = row["period"], frequency.get(row["indicator"], "monthly")
        if freq == "monthly" or len(text) < 7:
            return text
        day = periods.start_of(dt.date(int(text[:4]), int(text[5:7]), 1), freq)
        return day.isoformat()

    rows = rows.copy()
    rows["period"] = rows.apply(start, axis=1)
    return rows


def preview(pending: PendingUpload) -> dict:
    """What the file will load, and what it leaves out, without loading anything."""
    preset, _, summary = _build(pending)
    return {"preset": preset, **summary}


def confirm(*, actor, pending: PendingUpload, token=None) -> ImportBatch | None:
    """Load what the preview showed: the standard rows of the workspace's providers, and the
    segments a NOF file carries (None when the file held segments only)."""
    access.require_analyst(actor)
    preset, kept, summary = _build(pending)
    segments = summary["segments"]
    if kept.empty and segments is None:
        raise ValidationError("There is nothing to load: no row is for a provider in this service")
    batch = None
    with transaction.atomic():
        if not kept.empty:
            # what loads is the standard columns as CSV, whatever the file was (a workbook too)
            stem = pending.file_name.rsplit(".", 1)[0]
            batch, _ = services.import_submit(
                actor=actor, file_name=f"{stem}.csv", content=presets.to_csv(kept),
                source=preset.source, token=token,
            )  # fmt: skip
        if segments is not None:
            context.store_segments(actor=actor, segments=segments["frame"], source=preset.source)
        PendingUpload.objects.filter(pk=pending.pk).delete()
    return batch


def cancel(*, actor, pending: PendingUpload) -> None:
    access.require_analyst(actor)
    PendingUpload.objects.filter(pk=pending.pk, uploaded_by=actor).delete()
