"""JSON as RFC 8259 has it, for request bodies (no NaN or Infinity, no number beyond a double, 64 levels), and
JSON's names for values."""

import json
import math
import sys

MAX_DEPTH = 64
# The longest integer literal that can still fit in a double: longer ones are looked at (int() itself
# refuses those over 4300 digits with a ValueError).
_DOUBLE_DIGITS = len(str(int(sys.float_info.max)))


class NotStrictJson(ValueError):
    """Text Python's json module reads, but other readers (JS, Go, jq) do not: its message says what."""


def _constant(name: str):
    raise NotStrictJson(f"{name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise NotStrictJson(f"the number {text[:40]} is beyond the range of a double")
    return value


def _int(text: str) -> int:
    value = int(text)
    if len(text) >= _DOUBLE_DIGITS and abs(value) > sys.float_info.max:
        raise NotStrictJson(f"the number {text[:40]}... is beyond the range of a double")
    return value


# The C scanner calls parse_constant only for NaN/Infinity/-Infinity and parse_float only for numbers with a
# fraction or exponent (rare: userData takes none), but parse_int for every integer: a text too short to
# hold a 309-digit one is read without that hook.
_short = json.JSONDecoder(parse_float=_float, parse_constant=_constant).decode
_long = json.JSONDecoder(parse_float=_float, parse_int=_int, parse_constant=_constant).decode


def loads(text: str):
    """json.loads, or NotStrictJson (a ValueError) for what RFC 8259 readers would not read back."""
    return (_long if len(text) >= _DOUBLE_DIGITS else _short)(text)


def too_deep(value, text: str) -> bool:
    """True when `value` (parsed from `text`) nests arrays and objects more than MAX_DEPTH levels deep.
    Free for the usual body (fewer brackets than levels); else one walk, with a stack rather than recursion."""
    if len(text) <= 2 * MAX_DEPTH or text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def json_kind(value) -> str:
    """What a decoded JSON value is, in JSON's words (for messages): 'a boolean', 'null', 'an array'..."""
    if value is None:
        return "null"
    kinds = ((bool, "a boolean"), (int, "an integer"), (float, "a number"), (str, "a string"), (list, "an array"))
    return next((kind for cls, kind in kinds if isinstance(value, cls)), "an object")
