"""OpenAPI post-processing: document the error answers every endpoint can give, the range
of every id in a path, and say every text of the schema in the deployment's words."""

from __future__ import annotations

from qsg import ids, vocabulary

ERROR_COMPONENT = {
    "type": "object",
    "description": (
        "What went wrong. Field errors map each field name to a list of messages; other errors "
        "carry `detail` or `non_field_errors`."
    ),
    "additionalProperties": {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {}}, {"type": "object"}]
    },
}

ERRORS = {
    "400": "The request was not valid: see the field errors",
    "401": "Not logged in, or the token is not valid",
    "403": "Visible to you, but you may not do this",
    "404": "Not found, or not visible to you",
    "409": "Conflicts with existing records",
    "415": "The body is in a media type (or a form encoding) the API cannot read",
    "429": "Too many requests: try again later",
}


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_COMPONENT
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for status, description in ERRORS.items():
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result


def bound_path_ids(result, generator, request, public):
    """An integer in a path is an id: say its range (qsg.ids), which AccessViewSet enforces, so
    that clients and schemathesis's boundary cases know it."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and schema.get("type") == "integer":
                    schema.update({k: v for k, v in ids.SCHEMA.items() if k not in schema})
    return result


WORDED = frozenset({"title", "summary", "description"})


def in_profile_words(result, generator, request, public):
    """Docstrings, help texts and choice labels are written in the 2013 words: the schema says
    them in the deployment's (`vocabulary.say`). The schema is built without a database (check
    --deploy, schemathesis), so the terms are the profile's with the overrides last read."""

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in WORDED and isinstance(value, str):
                    node[key] = vocabulary.say(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    with vocabulary.offline():
        walk(result)
    return result
