"""Screen a service's free-text fields for patient-identifiable data: the one helper every
app uses (the pure screener is `qsg.pid`).

Errors are keyed by field name, so a page puts each on its field (NHS.UK inline error and
summary, through `qsg.views.apply_errors`) and the API answers 400 naming the field
(`qsg.api.errors`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.core.exceptions import ValidationError

from qsg import pid

# {field name: (label shown in the message, text)}
Fields = Mapping[str, tuple[str, str | None]]


def pid_errors(
    fields: Fields, *, allow: Mapping[str, Collection[str]] | None = None
) -> dict[str, list[str]]:
    """Messages per field for the PID found in each text; ``allow`` names kinds a field
    may hold (a guest's name is a person's name; a dial-in is a phone number)."""
    errors: dict[str, list[str]] = {}
    for name, (label, text) in fields.items():
        if not text or not isinstance(text, str):
            continue
        allowed = (allow or {}).get(name, ())
        findings = [f for f in pid.screen(text) if f.kind not in allowed]
        if findings:
            errors[name] = pid.describe(findings, label)
    return errors


def screen_pid(fields: Fields, *, allow: Mapping[str, Collection[str]] | None = None) -> None:
    """Refuse patient-identifiable data: raise one ValidationError naming every field."""
    errors = pid_errors(fields, allow=allow)
    if errors:
        raise ValidationError(errors)
