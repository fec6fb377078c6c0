"""The JSON parser of the API: DRF's, with the nesting depth bounded.

Python's decoder gives up with ``RecursionError`` at about 1,000 levels, which
DRF turned into a 500; serializers walk what the decoder built recursively too.
A body nested deeper than ``MAX_JSON_DEPTH`` is a 400 before anything reads it.
"""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from core.bounds import MAX_JSON_DEPTH

TOO_DEEP = f"JSON parse error - the body is nested more than {MAX_JSON_DEPTH} levels deep."


def depth(value) -> int:
    """How deep ``value`` nests (a scalar is 0), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(TOO_DEEP) from exc
        if depth(data) > MAX_JSON_DEPTH:
            raise ParseError(TOO_DEEP)
        return data
