"""Request bodies of the vendor operations, and the interaction and envelopes they answer with."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from mocknexus.core.models import RESERVED_KEYS, STATES, STOPPERS
from mocknexus.schemas.fastload import fast_loader
from mocknexus.schemas.fields import IsoDateTime, UserData


class RequestSchema(Schema):
    """A vendor request body; `data_keys` are the body field names it knows."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.data_keys = frozenset(f.data_key or name for name, f in self.load_fields.items())
        self.fast_load = fast_loader(self)  # load() for valid bodies at a quarter of the cost; None otherwise


class CreateInteractionRequest(RequestSchema):
    external_id = fields.String(data_key="externalId", validate=validate.Length(min=1, max=255))
    parent_interaction_id = fields.String(data_key="parentInteractionId")
    received_at = IsoDateTime(data_key="receivedAt")
    user_data = UserData(data_key="userData")
    data = fields.Dict()


class StopInteractionRequest(RequestSchema):
    reason_system_name = fields.String(data_key="reasonSystemName")
    reason_description = fields.String(data_key="reasonDescription")
    data = fields.Dict()


class UpdateInteractionRequest(RequestSchema):
    changed = UserData(data_key="changedProperties")
    added = UserData(data_key="addedProperties")
    deleted = fields.List(fields.String(), data_key="deletedProperties")
    data = fields.Dict()

    @validates_schema
    def _one_change_and_no_overlap(self, data, **kwargs):
        parts = {name: data[name] for name in ("changed", "added", "deleted") if name in data}
        if not parts:
            raise ValidationError(
                "Give at least one of changedProperties, addedProperties, deletedProperties.", "_schema"
            )
        reserved = [key for key in parts.get("deleted", ()) if key in RESERVED_KEYS]
        if reserved:
            raise ValidationError([f"'{k}' is a reserved key (a Genesys system property)." for k in reserved],
                                  "deletedProperties")
        seen, twice = set(), set()
        for keys in parts.values():
            for key in set(keys):
                (twice if key in seen else seen).add(key)
        if twice:
            raise ValidationError(
                [f"'{k}' appears in more than one of changed/added/deleted properties." for k in sorted(twice)],
                "_schema",
            )


class StopReasonOut(Schema):
    systemName = fields.String(allow_none=True)
    description = fields.String(allow_none=True)


class InteractionOut(Schema):
    """The §1.2 interaction; documents what Interaction.to_json() writes (a test keeps them equal)."""

    id = fields.String(required=True)
    externalId = fields.String(allow_none=True, required=True)
    parentInteractionId = fields.String(allow_none=True, required=True)
    openMediaService = fields.String(required=True)
    mediaType = fields.String(required=True)
    interactionType = fields.String(required=True)
    interactionSubtype = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    receivedAt = fields.String(required=True)
    submittedAt = fields.String(required=True)
    userData = fields.Dict(required=True)
    selfUri = fields.String(required=True)
    stoppedAt = fields.String(allow_none=True)
    stopReason = fields.Nested(StopReasonOut, allow_none=True)
    stoppedBy = fields.String(allow_none=True, validate=validate.OneOf(STOPPERS))  # ours (§5)


class StatusOut(Schema):
    code = fields.Integer(required=True)
    message = fields.String(required=True)
    details = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class InteractionEnvelope(Schema):
    status = fields.Nested(StatusOut, required=True)
    data = fields.Nested(InteractionOut, required=True)


class ErrorEnvelope(Schema):
    status = fields.Nested(StatusOut, required=True)


create_request = CreateInteractionRequest()
stop_request = StopInteractionRequest()
update_request = UpdateInteractionRequest()
