"""The API's JSON parser: DRF's, with a cap on nesting.

No request of this API nests more than a few levels. A body nested deeper than MAX_DEPTH is a
400 saying so; Python's decoder would otherwise hit its recursion limit about 1,000 levels down
and the request would end in a 500.
"""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32
TOO_DEEP = f"JSON parse error - the body is nested more than {MAX_DEPTH} levels deep"


def depth_exceeds(data, limit: int) -> bool:
    """Whether `data` (parsed JSON) has containers nested more than `limit` deep."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        if depth_exceeds(data, MAX_DEPTH):
            raise ParseError(TOO_DEEP)
        return data
