"""OpenAPI post-processing: document the error answers every endpoint can give."""

from __future__ import annotations

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
