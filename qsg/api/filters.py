"""Filters for the API: a filter on an unknown id matches nothing (never revealing which ids
exist), and a malformed or empty value is a 400 rather than silently ignored."""

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError


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


class IdFilter(django_filters.NumberFilter):
    """Filter on a foreign key by id: an unknown or invisible id simply matches nothing."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """true or false; anything else is a 400."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)
