"""Filters for the API: a filter on an unknown id matches nothing (never revealing which ids
exist), and a malformed, empty or out-of-range value is a 400 rather than silently ignored."""

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from qsg import ids


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter's backend, except that a filter given with an empty value (`?qsg=`) is a 400."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            empty = [n for n in filterset.filters if "" in request.query_params.getlist(n)]
            if empty:
                raise ValidationError(
                    {n: ["Enter a value, or leave the parameter out"] for n in empty}
                )
        return filterset


class IdFormField(forms.IntegerField):
    """An id from 1 to 2**63 - 1 (qsg.ids); anything else is one clear message."""

    default_error_messages = {
        "invalid": ids.OUT_OF_RANGE,
        "min_value": ids.OUT_OF_RANGE,
        "max_value": ids.OUT_OF_RANGE,
    }

    def __init__(self, **kwargs):
        kwargs.update(min_value=ids.ID_MIN, max_value=ids.ID_MAX, step_size=None)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = ids.parse_id(value)
        if number is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return number


@extend_schema_field(ids.SCHEMA)
class IdFilter(django_filters.NumberFilter):
    """Filter on a foreign key by id: an unknown or invisible id simply matches nothing; a value
    that is not an id in range is a 400. Every id filter of the API is one of these
    (tests/hostile/test_integer_bounds.py walks the router to hold that)."""

    field_class = IdFormField


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """true or false; anything else is a 400."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)
