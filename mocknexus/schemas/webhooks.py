"""Bodies of the interactions webhook (§6): a webhook in and out, the delivery filters and wait, a delivery out."""

import uuid
from urllib.parse import urlsplit

from marshmallow import Schema, ValidationError, fields, post_load, validate

from mocknexus.core.models import EVENTS, Webhook
from mocknexus.schemas.admin import MAX_WAIT_MS, StrictSchema
from mocknexus.schemas.fields import StrictInteger
from mocknexus.state.webhooks import DELIVERED, FAILED, PENDING

STATES = (PENDING, DELIVERED, FAILED)
# It appears in a path, DELETE /__admin/webhooks/{id}, beside /__admin/webhooks/deliveries.
WEBHOOK_ID = r"^(?!deliveries$)[A-Za-z0-9._~-]{1,128}$"


def _url(url: str) -> None:
    """http(s), a host, a valid port, nothing a request line cannot carry."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a bad one)
    except ValueError as exc:
        raise ValidationError(f"Not a valid URL: {exc}.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("Must be an http:// or https:// URL with a host.")
    if not url.isascii() or not url.isprintable() or " " in url:
        raise ValidationError("Must not contain spaces, control or non-ASCII characters (percent-encode them).")


def _unique(values: list) -> None:
    if len(set(values)) != len(values):
        raise ValidationError("Each value at most once.")


class WebhookSchema(StrictSchema):
    """POST /__admin/webhooks, a fixture's webhook, and what the list answers (with `id`); only `url` is required."""

    id = fields.String(validate=validate.Regexp(WEBHOOK_ID,
                                                error="Must be 1-128 of A-Z a-z 0-9 . _ ~ - (and not 'deliveries')."))
    url = fields.String(required=True, validate=[validate.Length(max=2048), _url])
    secret = fields.String(load_default="", validate=validate.Length(max=1024))
    events = fields.List(fields.String(validate=validate.OneOf(EVENTS)), load_default=lambda: list(EVENTS),
                         validate=[validate.Length(min=1), _unique])
    services = fields.List(fields.String(validate=validate.Length(min=1, max=255)), load_default=None,
                           allow_none=True, validate=[validate.Length(max=1000), _unique])
    retries = StrictInteger(load_default=3, validate=validate.Range(0, 10))
    retry_delay_ms = StrictInteger(data_key="retryDelayMs", load_default=1000, validate=validate.Range(0, 60_000))
    timeout_ms = StrictInteger(data_key="timeoutMs", load_default=10_000, validate=validate.Range(1, 60_000))

    @post_load
    def _make(self, data, **kwargs):
        services = data["services"]
        return Webhook(**{**data, "id": data.get("id") or str(uuid.uuid4()), "events": tuple(data["events"]),
                          "services": tuple(services) if services is not None else None})


class DeliveryMatch(StrictSchema):
    """Which deliveries: every key optional."""

    webhook = fields.String()
    event = fields.String(validate=validate.OneOf(EVENTS))
    state = fields.String(validate=validate.OneOf(STATES))


class DeliveriesQuery(DeliveryMatch):
    """GET /__admin/webhooks/deliveries query string: the match keys plus `limit` (the newest K)."""

    limit = fields.Integer(validate=validate.Range(min=1))


class DeliveryWait(StrictSchema):
    """POST /__admin/webhooks/deliveries/wait."""

    match = fields.Nested(DeliveryMatch, load_default=dict)
    count = StrictInteger(load_default=1, validate=validate.Range(min=1))
    timeout_ms = StrictInteger(data_key="timeoutMs", load_default=5000, validate=validate.Range(0, MAX_WAIT_MS))


class AttemptOut(Schema):
    time = fields.String(required=True)
    status = fields.Integer(required=True, allow_none=True)
    error = fields.String(required=True, allow_none=True)
    durationMs = fields.Float(required=True)


class DeliveryOut(Schema):
    """One delivery record (§6)."""

    id = fields.Integer(required=True)
    webhook = fields.String(required=True)
    event = fields.String(required=True, validate=validate.OneOf(EVENTS))
    interactionId = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    body = fields.Dict(required=True)
    attempts = fields.List(fields.Nested(AttemptOut), required=True)


class WebhookOut(Schema):
    id = fields.String(required=True)
    url = fields.String(required=True)
    secret = fields.String(required=True)
    events = fields.List(fields.String(validate=validate.OneOf(EVENTS)), required=True)
    services = fields.List(fields.String(), required=True, allow_none=True)
    retries = fields.Integer(required=True)
    retryDelayMs = fields.Integer(required=True)
    timeoutMs = fields.Integer(required=True)


class WebhooksOut(Schema):
    webhooks = fields.List(fields.Nested(WebhookOut), required=True)


class DeliveriesOut(Schema):
    deliveries = fields.List(fields.Nested(DeliveryOut), required=True)


webhook_schema = WebhookSchema()
deliveries_query = DeliveriesQuery()
delivery_wait = DeliveryWait()
