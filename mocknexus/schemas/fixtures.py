"""The fixture document (§3): services, apiKeys, interactions; also what GET/PUT /__admin/state carry."""

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate

from mocknexus.core.models import QUEUED, STATES, STOPPERS, ApiKey, Service
from mocknexus.schemas.fields import IsoDateTime, StrictBoolean, UserData
from mocknexus.schemas.plainload import ID_PATTERN, MAX_LENGTH, key_problem
from mocknexus.schemas.simulator import lifecycle_field
from mocknexus.schemas.webhooks import WebhookSchema

_name = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))


def _sendable_key(key: str) -> None:
    """A key no x-api-key header can carry would never match."""
    problem = key_problem(key)
    if problem is not None:
        raise ValidationError(problem)


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
    """An interaction as §1.2 shows it; server-derived fields (mediaType, selfUri...) are accepted and ignored.
    Loaded with the document's own keys (build_interactions reads them). plainload.py loads the plainly valid
    ones without marshmallow: a field added here goes there too."""

    class Meta:
        unknown = RAISE

    id = fields.String(validate=validate.Regexp(ID_PATTERN, error=(
        "Must be 1-255 characters, not start with 'ext_', not be '.' or '..', and have no '/', '?', '#', '%', "
        "space or control character: its selfUri must address it.")))
    externalId = fields.String(allow_none=True, validate=validate.Length(min=1, max=MAX_LENGTH))
    parentInteractionId = fields.String(allow_none=True)
    openMediaService = fields.String(required=True)
    state = fields.String(validate=validate.OneOf(STATES), load_default=QUEUED)
    receivedAt = IsoDateTime(allow_none=True)
    submittedAt = IsoDateTime(allow_none=True)
    stoppedAt = IsoDateTime(allow_none=True)
    stopReason = fields.Nested(StopReasonFixture, allow_none=True)
    userData = UserData(load_default=dict)
    stoppedBy = fields.String(allow_none=True, validate=validate.OneOf(STOPPERS))
    agent = fields.String(allow_none=True, validate=validate.Length(min=1, max=MAX_LENGTH))
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
