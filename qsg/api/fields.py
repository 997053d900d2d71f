"""Serializer fields for ids in request bodies.

`IdField` is an id in range (qsg.ids): a number too large for the database is a 400 with a
clear message, not an OverflowError. `VisibleRelatedField` and `TargetField` are ids of related
objects, found only through the access layer. Every id of a request body is one of the three
(tests/hostile/test_hidden_ids.py and test_integer_bounds.py hold that). `CodeField` names a
row of reference data by its code, and is the only other relation a body may carry.
`DimensionField` is a quality dimension's code (a qsg.QualityDimension row of the profile).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers

from qsg import dimensions, ids, vocabulary
from qsg.vocabulary import say


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


@extend_schema_field(ids.SCHEMA)
class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object named by id, looked up only among what the caller may see: `visible` is
    an access-layer function, `visible(user)` a queryset already scoped (`providers_for`,
    `meetings_for`, ...). An id that exists but is hidden gets exactly the answer of one that
    does not exist (400, "No provider with id 12 was found"), so no answer confirms that a
    hidden object exists, and no message names one. Every related id of a request body is
    one of these, or a `TargetField`."""

    default_error_messages = {
        "required": "This field is required.",
        "does_not_exist": "No {noun} with id {pk_value} was found",
        "incorrect_type": ids.OUT_OF_RANGE,
    }

    def __init__(self, visible, *, model, noun: str | None = None, with_field=False, **kwargs):
        # with_field: `visible(field, user)`, for choices that depend on the serializer's context
        # (the risk summit an action belongs to).
        self.visible = visible
        self.with_field = with_field
        # In the code's (2013) words; said in the deployment's when a message names it.
        self.noun = noun or str(model._meta.verbose_name)
        # Without a request (schema generation) nothing is visible.
        kwargs["queryset"] = model._default_manager.none()
        super().__init__(**kwargs)

    def user(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return user if getattr(user, "is_authenticated", False) else None

    def get_queryset(self):
        user = self.user()
        if user is None:
            return self.queryset
        return self.visible(self, user) if self.with_field else self.visible(user)

    def id_of(self, data) -> int:
        pk = ids.parse_id(data)
        if pk is None:
            self.fail("incorrect_type")
        return pk

    def to_internal_value(self, data):
        pk = self.id_of(data)
        found = self.get_queryset().filter(pk=pk).first()
        if found is None:
            self.fail("does_not_exist", noun=say(self.noun), pk_value=pk)
        return found


class TargetField(VisibleRelatedField):
    """The object a write goes into (the meeting of a new agenda item, the QSG of a new
    membership), fetched with the access layer's `<thing>_for_user(user, pk, manage=True)`:
    hidden or missing is 404 (the same body for both), visible but not the caller's to change is
    403, as for the object's own URL. Declare it before the other fields: it is checked first."""

    def __init__(self, fetch, *, model, noun: str | None = None, **kwargs):
        self.fetch = fetch
        super().__init__(None, model=model, noun=noun, **kwargs)

    def to_internal_value(self, data):
        pk = self.id_of(data)
        user = self.user()
        try:
            if user is None:
                raise Http404
            return self.fetch(user, pk, manage=True)
        except Http404:
            message = self.error_messages["does_not_exist"].format(noun=say(self.noun), pk_value=pk)
            raise exceptions.NotFound({self.field_name: [message]}) from None
        except PermissionDenied:
            raise exceptions.PermissionDenied() from None


class CodeField(serializers.SlugRelatedField):
    """A row of reference data named by its code (an organisation type, a conclusion category,
    an indicator). A value that can be no code (not text, longer than the column, a NUL or a
    lone surrogate, which PostgreSQL cannot take in a query) is a 400 before any query."""

    default_error_messages = {
        "does_not_exist": "No {noun} has the code {value}",
        "invalid": "Enter a code as text of at most {max_length} characters",
    }

    def __init__(self, *, noun: str | None = None, slug_field: str = "code", **kwargs):
        super().__init__(slug_field=slug_field, **kwargs)
        model = self.queryset.model if self.queryset is not None else None
        self.noun = noun or (str(model._meta.verbose_name) if model else "row")
        self.max_length = model._meta.get_field(slug_field).max_length if model else None

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > (self.max_length or 200):
            self.fail("invalid", max_length=self.max_length or 200)
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("invalid", max_length=self.max_length or 200)
        found = self.get_queryset().filter(**{self.slug_field: data}).first()
        if found is None:
            self.fail("does_not_exist", noun=self.noun, value=data)
        return found


class DimensionField(serializers.CharField):
    """A quality dimension's code: one the deployment's profile offers (qsg.dimensions), or an
    older alias (`safe`, `effective`) read as the code it became, or the code the object being
    changed already has. Anything else is a 400 naming the codes offered. What is stored and read
    back is the row's code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Enter a quality dimension's code as text")
        value = super().to_internal_value(data)
        kept = getattr(getattr(self.parent, "instance", None), self.source, None)
        if value and value == kept:  # what is classed keeps a code no longer offered
            return value
        code = dimensions.resolve(value)
        if code is None:
            raise serializers.ValidationError(dimensions.unknown_message(value))
        return code


class DimensionFieldSchema(OpenApiSerializerFieldExtension):
    """The codes in the schema: the profile's seeded rows (the schema is built without the
    database), plus the older aliases a request may still send."""

    target_class = DimensionField

    def map_serializer_field(self, auto_schema, direction):
        codes = [code for code, _ in dimensions.SEEDED[vocabulary.profile()]]
        aliases = ", ".join(f"`{old}` (read as `{new}`)" for old, new in dimensions.ALIASES.items())
        schema = {
            "type": "string",
            "maxLength": 20,
            "description": (
                "The code of one of the deployment's quality dimensions (administrators keep the "
                f"list; as seeded: {', '.join(codes)}). A request may also send {aliases}."
            ),
        }
        if direction == "request":
            schema["enum"] = [*codes, *dimensions.ALIASES]  # named in ENUM_NAME_OVERRIDES
        return schema
