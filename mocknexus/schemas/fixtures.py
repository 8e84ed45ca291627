"""The fixture document (§3): services, apiKeys, interactions; also what GET/PUT /__admin/state carry."""

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate

from mocknexus.core.models import STATES, STOPPERS, ApiKey, Service
from mocknexus.schemas.fields import IsoDateTime, StrictBoolean, UserData
from mocknexus.schemas.simulator import lifecycle_field
from mocknexus.schemas.webhooks import WebhookSchema

_name = fields.String(required=True, validate=validate.Length(min=1, max=255))


def _sendable_key(key: str) -> None:
    """A key no x-api-key header can carry would never match: HTTP strips the spaces around a value."""
    if key.strip(" \t") != key:
        raise ValidationError("Has spaces or tabs around it, which HTTP strips from a header: no request could "
                              "send this key.")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in key):
        raise ValidationError("Has a control character, which no header can carry.")


def _shorthand(key):
    """Let a bare string stand for {key: string}."""

    def expand(self, data, **kwargs):
        if isinstance(data, str):
            return {key: data}
        if not isinstance(data, dict):
            raise ValidationError(f"Must be a {key} string or an object.")
        return data

    return pre_load(expand)


class ServiceFixture(Schema):
    class Meta:
        unknown = RAISE

    _expand = _shorthand("name")
    name = _name
    media_type = fields.String(data_key="mediaType", load_default="openmedia")
    interaction_type = fields.String(data_key="interactionType", load_default="Inbound")
    interaction_subtype = fields.String(data_key="interactionSubtype", load_default="InboundNew")
    lifecycle = lifecycle_field(load_default=list)

    @post_load
    def _make(self, data, **kwargs):
        return Service(**{**data, "lifecycle": tuple(data["lifecycle"])})


class ApiKeyFixture(Schema):
    class Meta:
        unknown = RAISE

    _expand = _shorthand("key")
    key = fields.String(required=True, validate=[validate.Length(min=1), _sendable_key])
    enabled = StrictBoolean(load_default=True)
    expires_at = IsoDateTime(data_key="expiresAt", load_default=None, allow_none=True)
    services = fields.List(fields.String(), load_default=None, allow_none=True)

    @post_load
    def _make(self, data, **kwargs):
        if data["services"] is not None:
            data["services"] = tuple(data["services"])
        return ApiKey(**data)


class StopReasonFixture(Schema):
    systemName = fields.String(allow_none=True, load_default=None)
    description = fields.String(allow_none=True, load_default=None)


class InteractionFixture(Schema):
    """An interaction as §1.2 shows it; server-derived fields (mediaType, selfUri...) are accepted and ignored."""

    class Meta:
        unknown = RAISE

    # Its selfUri must address it: no '.' or '..' (clients fold them away), nothing a URL gives another
    # meaning ('/', '?', '#', '%') and nothing a request line cannot carry (spaces, control characters).
    id = fields.String(validate=validate.Regexp(
        r"^(?!ext_)(?!\.\.?$)[^/?#%\s\x00-\x1f\x7f]{1,255}$",
        error="Must be 1-255 characters, not start with 'ext_', not be '.' or '..', and have no '/', '?', '#', "
              "'%', space or control character: its selfUri must address it."))
    external_id = fields.String(data_key="externalId", allow_none=True, validate=validate.Length(min=1, max=255))
    parent_id = fields.String(data_key="parentInteractionId", allow_none=True)
    service = fields.String(data_key="openMediaService", required=True)
    state = fields.String(validate=validate.OneOf(STATES), load_default="queued")
    received_at = IsoDateTime(data_key="receivedAt", allow_none=True)
    submitted_at = IsoDateTime(data_key="submittedAt", allow_none=True)
    stopped_at = IsoDateTime(data_key="stoppedAt", allow_none=True)
    stop_reason = fields.Nested(StopReasonFixture, data_key="stopReason", allow_none=True)
    user_data = UserData(data_key="userData", load_default=dict)
    stopped_by = fields.String(data_key="stoppedBy", allow_none=True, validate=validate.OneOf(STOPPERS))
    agent = fields.String(allow_none=True, validate=validate.Length(min=1, max=255))
    # Written by the server from the service or the id; accepted so that GET /__admin/state round-trips.
    mediaType = fields.String(load_only=True)
    interactionType = fields.String(load_only=True)
    interactionSubtype = fields.String(load_only=True)
    selfUri = fields.String(load_only=True)


class FixtureDocument(Schema):
    class Meta:
        unknown = RAISE

    services = fields.List(fields.Nested(ServiceFixture), load_default=list)
    api_keys = fields.List(fields.Nested(ApiKeyFixture), data_key="apiKeys", load_default=list)
    interactions = fields.List(fields.Nested(InteractionFixture), load_default=list)
    webhooks = fields.List(fields.Nested(WebhookSchema), load_default=list)


class SeedDocument(Schema):
    class Meta:
        unknown = RAISE

    interactions = fields.List(fields.Nested(InteractionFixture), required=True)


fixture_document = FixtureDocument()
seed_document = SeedDocument()


def problems(error: ValidationError) -> list[tuple[str, str]]:
    """Flatten marshmallow's nested messages to (JSON path, problem) pairs: ('$.interactions[0].id', '...')."""
    out = []

    def walk(messages, path):
        if isinstance(messages, dict):
            for key, value in messages.items():
                step = f"[{key}]" if isinstance(key, int) else ("" if key == "_schema" else f".{key}")
                walk(value, path + step)
        elif isinstance(messages, list):
            for message in messages:
                walk(message, path)
        else:
            out.append((path, str(messages)))

    walk(error.messages, "$")
    return out
