"""Fields shared by the vendor and fixture schemas: ISO-8601 times and the userData rules."""

import math

from marshmallow import ValidationError, fields

from mocknexus.core.models import RESERVED_KEYS, iso
from mocknexus.core.strictjson import json_kind
from mocknexus.schemas.plainload import INT_MAX, INT_MIN, MAX_DEPTH, parse_time


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


class IsoDateTime(fields.Field):
    """An RFC 3339 date-time in (plainload.parse_time), an aware UTC datetime out."""

    default_error_messages = {"invalid": "Not an ISO-8601 date-time with an offset (RFC 3339), "
                                         "such as 2026-05-01T10:00:00Z."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return parse_time(value)
        except ValueError:
            raise self.make_error("invalid") from None

    def _serialize(self, value, attr, obj, **kwargs):
        return iso(value)


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
