"""Django forms rendered as NHS.UK frontend components.

`field_params(bound_field)` turns a bound field into the component name and the parameters of
its nhsuk-frontend-jinja macro; `templates/macros/forms.jinja` calls the macro. A rejected form
re-renders what the user typed, because every value comes from the bound field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.forms.boundfield import BoundField


class NHSDateWidget(forms.Widget):
    """Day, month and year boxes (the NHS.UK date input), submitted as name-day etc."""

    template_name = ""
    parts = ("day", "month", "year")

    @staticmethod
    def _keys(name: str, part: str) -> tuple[str, str]:
        # The nhsuk-frontend-jinja macro names the boxes name[day]; older forms used name-day.
        return f"{name}[{part}]", f"{name}-{part}"

    def value_from_datadict(self, data, files, name):
        values = [
            str(next((data[k] for k in self._keys(name, part) if k in data), "")).strip()
            for part in self.parts
        ]
        if not any(values):
            return data.get(name) or None
        return "/".join(values)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(
            k in data for part in self.parts for k in self._keys(name, part)
        )

    @classmethod
    def split(cls, value) -> list[str]:
        if isinstance(value, dt.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, str) and value:
            if "/" in value:
                return [*value.split("/"), "", "", ""][:3]
            try:
                parsed = dt.date.fromisoformat(value)
            except ValueError:
                return ["", "", ""]
            return [str(parsed.day), str(parsed.month), str(parsed.year)]
        return ["", "", ""]


class NHSDateField(forms.DateField):
    widget = NHSDateWidget
    input_formats = ["%d/%m/%Y", "%Y-%m-%d"]
    default_error_messages = {"invalid": "Enter a real date, for example 15 3 2024"}

    def to_python(self, value):
        if isinstance(value, str) and value.count("/") == 2:
            day, month, year = value.split("/")
            if not (day and month and year):
                missing = [
                    n
                    for n, v in zip(("day", "month", "year"), (day, month, year), strict=True)
                    if not v
                ]
                raise forms.ValidationError(
                    f"Date must include a {' and '.join(missing)}", code="incomplete"
                )
            if len(year) != 4:
                raise forms.ValidationError("Year must include 4 numbers", code="invalid")
        return super().to_python(value)


def anchor(bf: BoundField) -> str:
    widget = bf.field.widget
    if isinstance(widget, NHSDateWidget):
        return f"{bf.auto_id}-day"
    return bf.auto_id or bf.html_name


_GENERIC_REQUIRED = str(forms.Field.default_error_messages["required"])
_CHOOSE = (forms.Select, forms.RadioSelect, forms.CheckboxSelectMultiple, forms.FileInput)
_QUESTION = re.compile(r"^(?:what|which) (?:is|are|was|were) (?P<thing>.+)$", re.I)
_AS_IS = re.compile(
    r"^(?:the|a|an|your|their|its|this|these|each|every|any|who|when|where|why|how|whether|which|what|if)\b",
    re.I,
)


def required_message(bf: BoundField) -> str:
    """Django's "This field is required." as NHS.UK words that name the field: "Enter the
    title", "Select the local QSG", "Select who attended"."""
    label = str(bf.label or bf.name).strip().removesuffix(" (optional)").rstrip("?:. ")
    widget = bf.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return f'Select "{label}" to continue'
    verb = "Select" if isinstance(widget, _CHOOSE) else "Enter"
    question = _QUESTION.match(label)
    thing = question.group("thing") if question else label
    if not (len(thing) > 1 and thing[1].isupper()):  # "ODS code" keeps its capitals
        thing = thing[:1].lower() + thing[1:]
    if not question and not _AS_IS.match(thing):
        thing = f"the {thing}"
    return f"{verb} {thing}"


def messages(bf: BoundField) -> list[str]:
    """The field's error messages, the generic "required" one replaced by one naming it."""
    if not bf.errors:
        return []
    out = []
    for error in bf.form.errors.as_data().get(bf.name, []):
        for message in error:
            generic = error.code == "required" and str(message) == _GENERIC_REQUIRED
            out.append(required_message(bf) if generic else str(message))
    return out or [str(e) for e in bf.errors]


def _errors(bf: BoundField) -> dict[str, str] | None:
    if bf.errors:
        return {"text": " ".join(messages(bf))}
    return None


def _str(value) -> str:
    if value is None:
        return ""
    return str(value)


def _choices(bf: BoundField, selected: set[str]) -> list[dict[str, Any]]:
    hints = getattr(bf.field.widget, "hints", {})
    items = []
    for value, label in bf.field.choices:
        value = _str(value)
        item: dict[str, Any] = {
            "value": value,
            "text": str(label),
            "selected": value in selected,
            "checked": value in selected,
        }
        if value in hints:
            item["hint"] = {"text": hints[value]}
        items.append(item)
    return items


def field_params(
    bf: BoundField,
    *,
    label: str | None = None,
    hint: str | None = None,
    width: str | None = None,
    classes: str | None = None,
    label_size: str | None = None,
    is_page_heading: bool = False,
    rows: int | None = None,
    attributes: dict | None = None,
) -> dict[str, Any]:
    """Return {"component": ..., "params": ...} for templates/macros/forms.jinja."""
    widget = bf.field.widget
    label_text = label if label is not None else str(bf.label)
    if (
        not bf.field.required
        and not isinstance(widget, forms.CheckboxInput)
        and not getattr(bf.form, "is_filter_form", False)
    ):
        label_text = f"{label_text} (optional)"
    hint_text = hint if hint is not None else (str(bf.help_text) if bf.help_text else None)
    label_params: dict[str, Any] = {"text": label_text}
    if label_size:
        label_params["size"] = label_size
    if is_page_heading:
        label_params["isPageHeading"] = True
        label_params["size"] = label_size or "l"
    params: dict[str, Any] = {
        "id": bf.auto_id,
        "name": bf.html_name,
        "label": label_params,
        "errorMessage": _errors(bf),
    }
    if hint_text:
        params["hint"] = {"text": hint_text}
    if classes:
        params["classes"] = classes
    attrs = dict(attributes or {})
    if bf.field.required and not isinstance(
        widget, forms.CheckboxInput | forms.CheckboxSelectMultiple
    ):
        attrs.setdefault("aria-required", "true")

    value = bf.value()
    if isinstance(widget, NHSDateWidget):
        day, month, year = NHSDateWidget.split(value)
        params.pop("label")
        params["fieldset"] = {
            "legend": {
                "text": label_text,
                "size": label_size or "s",
                "isPageHeading": is_page_heading,
            }
        }
        params["namePrefix"] = bf.html_name
        params["items"] = [
            {
                "name": "day",
                "value": day,
                "classes": "nhsuk-input--width-2" + (" nhsuk-input--error" if bf.errors else ""),
            },
            {
                "name": "month",
                "value": month,
                "classes": "nhsuk-input--width-2" + (" nhsuk-input--error" if bf.errors else ""),
            },
            {
                "name": "year",
                "value": year,
                "classes": "nhsuk-input--width-4" + (" nhsuk-input--error" if bf.errors else ""),
            },
        ]
        return {"component": "date", "params": params}
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput):
        # The first item takes the field's id (the error summary links to it); the group must
        # not carry the same id, or the first label points at the group instead of its input.
        params.pop("id", None)
    # CheckboxSelectMultiple subclasses RadioSelect: test the more specific class first, or
    # a question with several answers renders as radios and keeps one.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        params.pop("label")
        selected = {_str(v) for v in (value or [])}
        params["idPrefix"] = bf.auto_id
        params["fieldset"] = {
            "legend": {
                "text": label_text,
                "size": label_size or "s",
                "isPageHeading": is_page_heading,
            }
        }
        params["items"] = _choices(bf, selected)
        return {"component": "checkboxes", "params": params}
    if isinstance(widget, forms.RadioSelect):
        params.pop("label")
        params["idPrefix"] = bf.auto_id
        params["fieldset"] = {
            "legend": {
                "text": label_text,
                "size": label_size or "s",
                "isPageHeading": is_page_heading,
            }
        }
        params["items"] = [i for i in _choices(bf, {_str(value)}) if i["value"] != ""]
        return {"component": "radios", "params": params}
    if isinstance(widget, forms.CheckboxInput):
        params.pop("label")
        params["idPrefix"] = bf.auto_id
        params["items"] = [
            {"value": "on", "text": label_text, "checked": bool(value), "id": bf.auto_id}
        ]
        if hint_text:
            params["items"][0]["hint"] = {"text": hint_text}
            params.pop("hint", None)
        return {"component": "checkboxes", "params": params}
    if isinstance(widget, forms.Select):
        params["items"] = _choices(bf, {_str(value)})
        params["attributes"] = attrs
        return {"component": "select", "params": params}
    if isinstance(widget, forms.Textarea):
        params["value"] = _str(value)
        params["rows"] = rows or widget.attrs.get("rows", 5)
        params["attributes"] = attrs
        max_length = getattr(bf.field, "max_length", None)
        if max_length:
            params["maxlength"] = max_length
            return {"component": "character-count", "params": params}
        return {"component": "textarea", "params": params}
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        params["attributes"] = {
            **attrs,
            **({"accept": widget.attrs["accept"]} if "accept" in widget.attrs else {}),
        }
        return {"component": "file", "params": params}
    if isinstance(widget, forms.PasswordInput):
        params["autocomplete"] = widget.attrs.get("autocomplete", "current-password")
        params["attributes"] = attrs
        return {"component": "password", "params": params}
    # Text-like inputs.
    input_type = getattr(widget, "input_type", "text") or "text"
    params["type"] = input_type
    params["value"] = _str(value) if input_type != "password" else ""
    if width:
        params["width"] = width
    for key in ("autocomplete", "spellcheck", "inputmode"):
        if key in widget.attrs:
            params[key] = widget.attrs[key]
    params["attributes"] = attrs
    return {"component": "input", "params": params}


def error_list(*forms_: forms.BaseForm | None) -> list[dict[str, str]]:
    """Items for the NHS.UK error summary, in field order, each linking to its field."""
    items: list[dict[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound or not form.errors:
            continue
        for error in form.non_field_errors():
            items.append({"text": str(error), "href": "#main-form"})
        for bf in form:
            for message in messages(bf):
                items.append({"text": message, "href": f"#{anchor(bf)}"})
    return items
