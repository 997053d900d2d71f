"""Serializer fields for ids in request bodies.

`IdField` is an id in range (qsg.ids): a number too large for the database is a 400 with a
clear message, not an OverflowError. Every integer id of a request body is one of these.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qsg import ids


@extend_schema_field(ids.SCHEMA)
class IdField(serializers.IntegerField):
    default_error_messages = {
        "invalid": ids.OUT_OF_RANGE,
        "min_value": ids.OUT_OF_RANGE,
        "max_value": ids.OUT_OF_RANGE,
        "max_string_length": ids.OUT_OF_RANGE,
    }

    def __init__(self, **kwargs):
        kwargs.update(min_value=ids.ID_MIN, max_value=ids.ID_MAX)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        number = ids.parse_id(data)
        if number is None:
            self.fail("invalid")
        return number
