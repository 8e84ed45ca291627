"""Fields shared by the vendor and fixture schemas: ISO-8601 times and the userData rules."""

import math
import re
from datetime import UTC, datetime

from marshmallow import ValidationError, fields

from mocknexus.core.models import RESERVED_KEYS, iso

MAX_DEPTH = 8
INT_MIN, INT_MAX = -(2**63), 2**63 - 1


class StrictBoolean(fields.Boolean):
    """true or false only: marshmallow's Boolean also takes 0, 1, "yes", "off"..., and a typo should be a 400."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class StrictInteger(fields.Integer):
    """A JSON integer: not a float, string or boolean (which Python counts as an integer)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return value


class StrictNumber(fields.Float):
    """A finite JSON number: not a string or boolean."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.make_error("invalid")
        return float(value)


# RFC 3339 (JSON Schema's "date-time", the document's word for these fields): a date, a time to the second and
# an offset. Looser ISO-8601 ("2026-05-01", no offset) is refused: without an offset a moment is a guess.
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", re.ASCII | re.IGNORECASE)


class IsoDateTime(fields.Field):
    """An RFC 3339 date-time in, an aware UTC datetime out."""

    default_error_messages = {"invalid": "Not an ISO-8601 date-time with an offset (RFC 3339), "
                                         "such as 2026-05-01T10:00:00Z."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not _RFC3339.fullmatch(value):
            raise self.make_error("invalid")
        try:
            moment = datetime.fromisoformat(value.upper())  # RFC 3339 allows a lower-case t and z
            # An offset can push the first or last representable day out of range (OverflowError).
            return moment.astimezone(UTC)
        except (ValueError, OverflowError):
            raise self.make_error("invalid") from None

    def _serialize(self, value, attr, obj, **kwargs):
        return iso(value)


def json_kind(value) -> str:
    """What a decoded JSON value is, in JSON's words (for messages): 'a boolean', 'null', 'an array'..."""
    if value is None:
        return "null"
    kinds = ((bool, "a boolean"), (int, "an integer"), (float, "a number"), (str, "a string"), (list, "an array"))
    return next((kind for cls, kind in kinds if isinstance(value, cls)), "an object")


def user_data_ok(value: dict, depth: int = 0) -> bool:
    """True when user_data_problems(value) is empty, found at a fraction of its cost (exact JSON types only;
    anything else is left to user_data_problems)."""
    if depth == 0 and not RESERVED_KEYS.isdisjoint(value):
        return False
    for item in value.values():
        kind = type(item)
        if kind is str:
            continue
        if kind is int:
            if not INT_MIN <= item <= INT_MAX:
                return False
        elif kind is not dict or depth + 1 > MAX_DEPTH or not user_data_ok(item, depth + 1):
            return False
    return True


def user_data_problems(value, depth: int = 0, reserved: bool = True) -> list[str]:
    """What is wrong with a userData object: reserved keys (top level only), value types, nesting."""
    problems = []
    for key, item in value.items():
        if reserved and depth == 0 and key in RESERVED_KEYS:
            problems.append(f"'{key}' is a reserved key (a Genesys system property).")
        if isinstance(item, dict):
            if depth + 1 > MAX_DEPTH:
                problems.append(f"'{key}' nests objects deeper than {MAX_DEPTH} levels.")
            else:
                problems.extend(user_data_problems(item, depth + 1))
        elif isinstance(item, bool) or not isinstance(item, str | int):
            problems.append(f"'{key}' is {json_kind(item)}; values must be strings, integers or objects.")
        elif isinstance(item, int) and not INT_MIN <= item <= INT_MAX:
            problems.append(f"'{key}' does not fit in a signed 64-bit integer.")
    return problems


class UserData(fields.Dict):
    """A userData object (or changed/added properties): the §1.4 value rules and §1.7 reserved keys."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        problems = user_data_problems(value)
        if problems:
            raise ValidationError(problems)
        return value
