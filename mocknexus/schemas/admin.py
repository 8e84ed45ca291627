"""Bodies and queries of the admin API (§2): settings, clock, journal filters and wait; and what it answers."""

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from mocknexus.core.config import ID_STYLES
from mocknexus.core.models import STATES
from mocknexus.schemas.fields import IsoDateTime, StrictBoolean, StrictInteger, StrictNumber
from mocknexus.state.patterns import Pattern, PatternError

MAX_BODY_LIMIT = 1 << 30  # the server's own ceiling (waitress max_request_body_size)
MAX_WAIT_MS = 300_000
MAX_ADVANCE_SECONDS = 100 * 366 * 86400


def _regex(pattern: str) -> None:
    try:
        Pattern(pattern)
    except PatternError as exc:
        raise ValidationError(str(exc)) from None


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class SettingsPatch(StrictSchema):
    """PATCH /__admin/settings: any of the four settings; the others stay."""

    strict = StrictBoolean()
    retain_stopped = StrictBoolean(data_key="retainStopped")
    id_style = fields.String(data_key="idStyle", validate=validate.OneOf(ID_STYLES))
    max_body = StrictInteger(data_key="maxBody", validate=validate.Range(1, MAX_BODY_LIMIT))


class SettingsOut(Schema):
    strict = fields.Boolean(required=True)
    retainStopped = fields.Boolean(required=True)
    idStyle = fields.String(required=True, validate=validate.OneOf(ID_STYLES))
    maxBody = fields.Integer(required=True)


class ClockPut(StrictSchema):
    """PUT /__admin/clock: {"now": ISO} freezes there; {"frozen": false} runs from real time;
    {"now": ISO, "frozen": false} runs on from that moment; {"frozen": true} freezes where it is."""

    now = IsoDateTime()
    frozen = StrictBoolean()

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("Give 'now' (ISO-8601), 'frozen' (boolean) or both.", "_schema")


class ClockAdvance(StrictSchema):
    seconds = StrictNumber(required=True, validate=validate.Range(-MAX_ADVANCE_SECONDS, MAX_ADVANCE_SECONDS))


class ClockOut(Schema):
    now = fields.String(required=True, metadata={"format": "date-time"})
    frozen = fields.Boolean(required=True)


class RequestMatch(StrictSchema):
    """Which journal records: every key optional; `path` is a regular expression searched in the path."""

    operation = fields.String()
    method = fields.String()
    path = fields.String(validate=_regex)
    status = StrictInteger(validate=validate.Range(100, 599))
    service = fields.String()


class RequestsQuery(RequestMatch):
    """GET /__admin/requests query string: the match keys plus `limit` (the newest K) and `since` (after that id)."""

    status = fields.Integer(validate=validate.Range(100, 599))
    limit = fields.Integer(validate=validate.Range(min=1))
    since = fields.Integer(validate=validate.Range(min=0))


class WaitRequest(StrictSchema):
    """POST /__admin/requests/wait."""

    match = fields.Nested(RequestMatch, load_default=dict)
    count = StrictInteger(load_default=1, validate=validate.Range(min=1))
    timeout_ms = StrictInteger(data_key="timeoutMs", load_default=5000, validate=validate.Range(0, MAX_WAIT_MS))


class InteractionsQuery(StrictSchema):
    """GET /__admin/interactions query string."""

    service = fields.String()
    state = fields.String(validate=validate.OneOf(STATES))


class RequestRecordOut(Schema):
    """One journal entry (§2.2)."""

    id = fields.Integer(required=True)
    time = fields.String(required=True, metadata={"format": "date-time"})
    method = fields.String(required=True)
    path = fields.String(required=True)
    operation = fields.String(required=True, allow_none=True)
    service = fields.String(required=True, allow_none=True)
    headers = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    body = fields.Raw(required=True, allow_none=True)
    status = fields.Integer(required=True)
    durationMs = fields.Float(required=True)
    warnings = fields.List(fields.String(), required=True)
    fault = fields.String(required=True, allow_none=True, metadata={"description": "The fault rule's id, or null."})
    hint = fields.String(metadata={"description": "On a vendor 404 only: what the caller probably meant (§10)."})


class RequestsOut(Schema):
    requests = fields.List(fields.Nested(RequestRecordOut), required=True)


class HealthOut(Schema):
    status = fields.String(required=True)
    version = fields.String(required=True)
    # Left out when a server with --admin-token is probed without it (the readiness probe, §2.1).
    interactions = fields.Integer(metadata={"description": "live interactions; only with the admin token, if any"})


class NamespaceOut(Schema):
    name = fields.String(required=True)
    interactions = fields.Integer(required=True)
    requests = fields.Integer(required=True)


class NamespacesOut(Schema):
    namespaces = fields.List(fields.Nested(NamespaceOut), required=True)


settings_patch = SettingsPatch()
clock_put = ClockPut()
clock_advance = ClockAdvance()
requests_query = RequestsQuery()
wait_request = WaitRequest()
interactions_query = InteractionsQuery()
