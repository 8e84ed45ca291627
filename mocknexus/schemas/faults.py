"""The fault rule of §2.4, in (POST /__admin/faults, the X-Mocknexus-Fault header) and out (GET)."""

import math
import re

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from mocknexus.schemas.fields import StrictBoolean, StrictInteger, StrictNumber
from mocknexus.state.faults import KINDS, FaultAction
from mocknexus.state.patterns import Pattern, PatternError

OPERATIONS = ("createInteraction", "getInteractionByExternalId", "stopInteractionByExternalId",
              "updateInteractionByExternalId", "getInteraction", "stopInteraction", "updateInteraction")
METHODS = ("GET", "POST")  # the only methods the vendor API has: a rule for another could never fire
MAX_DELAY_MS = 600_000
# Headers waitress or HTTP itself owns: a rule setting them would break the response, not the client.
FORBIDDEN_HEADERS = frozenset(("content-length", "connection", "keep-alive", "proxy-authenticate",
                               "proxy-authorization", "te", "trailers", "transfer-encoding", "upgrade"))
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # what RFC 9110 leaves out of a field value (tab is in)


class Regex(fields.String):
    """A regular expression (state/patterns.py: matched in linear time): compiled on load, its source on dump."""

    def _deserialize(self, value, attr, data, **kwargs):
        source = super()._deserialize(value, attr, data, **kwargs)
        try:
            return Pattern(source)
        except PatternError as exc:
            raise ValidationError(str(exc)) from None

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.pattern


class Delay(fields.Field):
    """Milliseconds: a number, or [min, max] for a uniform random delay."""

    def _deserialize(self, value, attr, data, **kwargs):
        numbers = value if isinstance(value, list) else [value]
        if len(numbers) not in (1, 2) or any(isinstance(n, bool) or not isinstance(n, int | float) for n in numbers):
            raise ValidationError("Must be a number of milliseconds or [min, max].")
        if any(not math.isfinite(n) or not 0 <= n <= MAX_DELAY_MS for n in numbers):
            raise ValidationError(f"Milliseconds must be between 0 and {MAX_DELAY_MS}.")
        if isinstance(value, list):
            if len(numbers) != 2 or numbers[0] > numbers[1]:
                raise ValidationError("A range must be [min, max] with min <= max.")
            return tuple(numbers)
        return value

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value) if isinstance(value, tuple) else value


class MatchSchema(Schema):
    class Meta:
        unknown = RAISE

    operation = fields.String(validate=validate.OneOf(OPERATIONS))
    method = fields.String(validate=validate.OneOf(METHODS))
    path = Regex()
    service = fields.String(validate=validate.Length(min=1))
    externalId = fields.String(validate=validate.Length(min=1))

    def load(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("method"), str):
            data = {**data, "method": data["method"].upper()}
        return super().load(data, **kwargs)


def _header_problems(headers: dict) -> list[str]:
    problems = []
    for name, value in headers.items():
        if not _TOKEN.fullmatch(name):
            problems.append(f"'{name}' is not a valid header name.")
        elif name.lower() in FORBIDDEN_HEADERS:
            problems.append(f"'{name}' is set by the server, not by a fault rule.")
        if not value.isascii() or _CONTROL.search(value):
            problems.append(f"The value of '{name}' must be printable ASCII on one line (no control characters).")
    return problems


class ActionSchema(Schema):
    class Meta:
        unknown = RAISE

    status = StrictInteger(validate=validate.Range(200, 599), allow_none=True,
                           metadata={"description": "Answer this status (with the error envelope unless `body`)."})
    body = fields.Raw(allow_none=True, metadata={"description": "Any JSON; a string is sent as text/plain."})
    headers = fields.Dict(keys=fields.String(), values=fields.String(), load_default=dict)
    delay_ms = Delay(allow_none=True, metadata={
        "description": "Wait first; alone, it delays the real answer.",
        "oneOf": [{"type": "number", "minimum": 0, "maximum": MAX_DELAY_MS},
                  {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": MAX_DELAY_MS},
                   "minItems": 2, "maxItems": 2}]})
    kind = fields.String(validate=validate.OneOf(KINDS), allow_none=True, metadata={
        "description": "reset: close with no response; truncate: cut the body short; garbage: a 200 not JSON."})
    apply = StrictBoolean(load_default=False, metadata={
        "description": "Run the real operation first (its change stays), then answer with the fault."})

    @validates_schema
    def _coherent(self, data, **kwargs):
        kind, status = data.get("kind"), data.get("status")
        if status is None and kind is None and data.get("delay_ms") is None:
            raise ValidationError("Give at least one of status, delay_ms, kind.", "_schema")
        if kind == "reset" and (status is not None or data.get("body") is not None or data.get("headers")):
            raise ValidationError("A reset sends no response: status, body and headers have no effect.", "kind")
        if data.get("body") is not None and (status is None or kind == "garbage"):
            raise ValidationError("A body needs a status (and garbage brings its own body).", "body")
        problems = _header_problems(data.get("headers") or {})
        if problems:
            raise ValidationError(problems, "headers")

    @post_load
    def _make(self, data, **kwargs):
        return FaultAction(**data)


class RuleSchema(Schema):
    """A rule as POSTed; `id`, `matched` and `fired` are the server's: ignored when a rule read from the
    server is POSTed back (a copy, with a new id and counts from zero)."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _drop_read_only(self, data, **kwargs):
        if isinstance(data, dict) and not _READ_ONLY.isdisjoint(data):
            data = {key: value for key, value in data.items() if key not in _READ_ONLY}
        return data

    id = fields.String(dump_only=True)
    match = fields.Nested(MatchSchema, load_default=dict)
    action = fields.Nested(ActionSchema, required=True)
    times = StrictInteger(validate=validate.Range(min=1), allow_none=True, load_default=None)
    after = StrictInteger(validate=validate.Range(min=0), load_default=0)
    probability = StrictNumber(validate=validate.Range(0, 1), load_default=1.0)
    seed = StrictInteger(allow_none=True, load_default=None)
    matched = fields.Integer(dump_only=True)
    fired = fields.Integer(dump_only=True)


_READ_ONLY = frozenset(name for name, field in RuleSchema._declared_fields.items() if field.dump_only)


def header_action(value: str) -> FaultAction:
    """`X-Mocknexus-Fault: 503`, `delay=250`, `reset`, `truncate`, `garbage` (comma-separated to combine)."""
    action: dict = {}
    for token in filter(None, (part.strip() for part in value.split(","))):
        name, eq, arg = token.partition("=")
        if token.isdigit():
            action["status"] = int(token)
        elif name.strip().lower() in ("delay", "delay_ms") and eq:
            try:
                action["delay_ms"] = float(arg)
            except ValueError:
                action["delay_ms"] = arg.strip()  # refused by the schema, with its message
        elif token.lower() in KINDS:
            action["kind"] = token.lower()
        else:
            raise ValidationError({"X-Mocknexus-Fault": [
                f"'{token}' is not a status (503), delay=MS, reset, truncate or garbage."]})
    try:
        return rule_schema.fields["action"].schema.load(action)
    except ValidationError as exc:
        raise ValidationError({"X-Mocknexus-Fault": exc.messages}) from None


rule_schema = RuleSchema()
