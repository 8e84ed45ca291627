"""Bodies of the contact center's side (§5, §5.1): the moves, and the lifecycle timetable; and what they answer."""

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from mocknexus.core.models import STATES, Step
from mocknexus.schemas.fields import StrictNumber, UserData
from mocknexus.schemas.vendor import InteractionOut, update_request
from mocknexus.state.simulator import MOVES, STOPPED_BY

ACTIONS = (*MOVES, "update", "stop")
MAX_AFTER = 100 * 366 * 86400  # seconds: a century
MAX_STEPS = 100
# The fields each action may carry besides `after` and `action`.
_FIELDS = {"route": (), "requeue": (), "handle": ("agent",), "stop": ("by", "reason_system_name", "reason_description"),
           "update": ("changed", "added", "deleted")}


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class HandleRequest(StrictSchema):
    """POST .../handle: the agent who takes it (optional)."""

    agent = fields.String(validate=validate.Length(min=1, max=255), allow_none=True)


class AdminStopRequest(StrictSchema):
    """POST .../stop on the admin side: who stops it (default the agent) and why."""

    by = fields.String(load_default="agent", validate=validate.OneOf(STOPPED_BY))
    reason_system_name = fields.String(data_key="reasonSystemName", allow_none=True)
    reason_description = fields.String(data_key="reasonDescription", allow_none=True)


class AdminInteractionOut(InteractionOut):
    """The interaction as the admin API shows it: the vendor's shape, plus `agent` and `stoppedBy` (§5)."""

    state = fields.String(required=True, validate=validate.OneOf(STATES))
    agent = fields.String(required=True, allow_none=True)


class LifecycleStep(StrictSchema):
    """One step of a lifecycle (§5.1): a move, an update or a stop, `after` seconds past submittedAt."""

    after = StrictNumber(required=True, validate=validate.Range(0, MAX_AFTER))
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    agent = fields.String(validate=validate.Length(min=1, max=255), allow_none=True)
    by = fields.String(validate=validate.OneOf(STOPPED_BY))
    reason_system_name = fields.String(data_key="reasonSystemName", allow_none=True)
    reason_description = fields.String(data_key="reasonDescription", allow_none=True)
    changed = UserData(data_key="changedProperties")
    added = UserData(data_key="addedProperties")
    deleted = fields.List(fields.String(), data_key="deletedProperties")

    @validates_schema(pass_original=True)
    def _fits_its_action(self, data, original, **kwargs):
        action = data.get("action")
        if action not in _FIELDS:
            return  # reported by the field
        extra = [self.fields[k].data_key or k for k in data if k not in ("after", "action", *_FIELDS[action])]
        if extra:
            raise ValidationError([f"'{key}' is not used by the action '{action}'." for key in extra], "_schema")
        if action == "update":  # the vendor's update rules: one part at least, no key twice, no reserved key
            problems = update_request.validate({k: v for k, v in original.items() if k not in ("after", "action")})
            if problems:
                raise ValidationError(problems)

    @post_load
    def _make(self, data, **kwargs):
        if "deleted" in data:
            data["deleted"] = tuple(data["deleted"])
        return Step(**data)


def _in_order(steps: list) -> None:
    afters = [step.after for step in steps]
    if afters != sorted(afters):
        raise ValidationError("Steps are done in order: each step's 'after' must be at least the one before's.")


def lifecycle_field(**kwargs) -> fields.List:
    return fields.List(fields.Nested(LifecycleStep), validate=[validate.Length(max=MAX_STEPS), _in_order], **kwargs)


class LifecycleBody(StrictSchema):
    """PUT /__admin/services/{name}/lifecycle, and what GET answers: {"lifecycle": [...]} ([] for none)."""

    lifecycle = lifecycle_field(required=True)


handle_request = HandleRequest()
admin_stop_request = AdminStopRequest()
lifecycle_body = LifecycleBody()
