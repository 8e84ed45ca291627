"""Bodies of the contact center's side (§5, §5.1): the moves, and the lifecycle timetable; and what they answer."""

from marshmallow import RAISE, Schema, fields, validate

from mocknexus.core.models import STATES
from mocknexus.schemas.vendor import InteractionOut
from mocknexus.state.simulator import STOPPED_BY


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


handle_request = HandleRequest()
admin_stop_request = AdminStopRequest()
