"""Reading the audit trail (django-simple-history) as rows a person can follow."""

from __future__ import annotations

import datetime as dt
from typing import Any

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def _display(record, field_name: str, value) -> str:
    from .jinja2 import uk_date, uk_datetime

    if value is None or value == "":
        return "(blank)"
    # Dates as people read them (7 December 2026 at 7:42am), never str() of a timestamp.
    if isinstance(value, dt.datetime):
        return uk_datetime(value)
    if isinstance(value, dt.date):
        return uk_date(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    field = record.instance_type._meta.get_field(field_name)
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation and not field.many_to_many:
        related = field.related_model.objects.filter(pk=value).first()
        return str(related) if related else f"#{value}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


def _related_names(record, field_name: str, rows) -> str:
    """Many-to-many history holds through-rows as dicts: show the related objects' names."""
    field = record.instance_type._meta.get_field(field_name)
    key = field.related_model._meta.model_name
    ids = [
        row.get(key) if isinstance(row, dict) else getattr(row, f"{key}_id", row)
        for row in rows or []
    ]
    names = {obj.pk: str(obj) for obj in field.related_model.objects.filter(pk__in=ids)}
    return ", ".join(sorted(str(names.get(i, f"#{i}")) for i in ids)) or "(none)"


def history_rows(queryset, *, limit: int = 50) -> list[dict[str, Any]]:
    """Newest first: who, when, what, and each field that changed from what to what."""
    records = list(
        queryset.select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    )
    rows = []
    for index, record in enumerate(records):
        previous = next((r for r in records[index + 1 :] if r.id == record.id), None)
        if previous is None and record.history_type == "~":
            previous = record.prev_record
        changes = []
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in {"updated_at"}:
                    continue
                is_relation = record.instance_type._meta.get_field(change.field).is_relation
                if is_relation and (isinstance(change.old, list) or isinstance(change.new, list)):
                    old = _related_names(record, change.field, change.old)
                    new = _related_names(record, change.field, change.new)
                else:
                    old = _display(record, change.field, change.old)
                    new = _display(record, change.field, change.new)
                changes.append(
                    {
                        "field": record.instance_type._meta.get_field(change.field).verbose_name,
                        "old": old,
                        "new": new,
                    }
                )
        rows.append(
            {
                "when": record.history_date,
                "who": record.history_user.display_name if record.history_user else "System",
                "action": ACTIONS.get(record.history_type, record.history_type),
                "object": str(record.instance)
                if record.history_type != "-"
                else record.history_object.__str__(),
                "changes": changes,
            }
        )
    return rows
