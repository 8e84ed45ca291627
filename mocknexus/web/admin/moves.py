"""Admin routes for the contact center's moves (§5): route, handle, requeue, update and stop an interaction."""

from urllib.parse import unquote

from flask import g, request

from mocknexus.state import simulator
from mocknexus.web.admin import bp
from mocknexus.web.http import json_response, read_json
from mocknexus.web.routing import ESCAPED_EXT


def _target(service, ref):
    if "external_id" in ref and ESCAPED_EXT in request.environ:  # an externalId with a '/' (routing.py)
        ref = {"external_id": unquote(ref["external_id"])}
    return simulator.find(g.world.store, service, **ref)


def _answer(interaction):
    return json_response(interaction.admin_json(g.world.prefix))


def route_interaction(open_media_service, **ref):
    """A strategy takes the interaction: queued → routing (409 from any other state)."""
    return _answer(simulator.move(g.world.store, _target(open_media_service, ref), "route"))


def handle_interaction(open_media_service, **ref):
    """An agent takes the interaction: queued or routing → handling; body {"agent": "<id>"} optional."""
    from mocknexus.schemas.simulator import handle_request  # lazy: `serve` starts without marshmallow

    body = handle_request.load(read_json())
    return _answer(simulator.move(g.world.store, _target(open_media_service, ref), "handle", body.get("agent")))


def requeue_interaction(open_media_service, **ref):
    """The agent gives the interaction back (or never accepted it): routing or handling → queued."""
    return _answer(simulator.move(g.world.store, _target(open_media_service, ref), "requeue"))


def agent_update_interaction(open_media_service, **ref):
    """The agent desktop changes userData: the vendor update body and rules (§1.5)."""
    from mocknexus.schemas.vendor import update_request  # lazy: `serve` starts without marshmallow

    body = update_request.load(read_json(required=True))
    interaction = _target(open_media_service, ref)
    return _answer(simulator.update(g.world.store, interaction, body.get("changed"), body.get("added"),
                                    body.get("deleted")))


def agent_stop_interaction(open_media_service, **ref):
    """Stopped by another entity than the client: {"by": "agent" | "workflow" | "system", "reasonSystemName",
    "reasonDescription"} (by defaults to agent); the client's next call then gets a 404, as after its own stop."""
    from mocknexus.schemas.simulator import admin_stop_request  # lazy: `serve` starts without marshmallow

    body = admin_stop_request.load(read_json())
    interaction = simulator.stop(g.world.store, _target(open_media_service, ref), body["by"],
                                 body.get("reason_system_name"), body.get("reason_description"))
    g.world.stopped(interaction)  # a new trace id: no vendor request caused it
    return _answer(interaction)


for _name, _view in (("route", route_interaction), ("handle", handle_interaction),
                     ("requeue", requeue_interaction), ("update", agent_update_interaction),
                     ("stop", agent_stop_interaction)):
    # <open_media_service>, not <service>: openapi_document.py names it openMediaService either way
    _base = f"/interactions/<open_media_service>/<{{}}>/{_name}"
    bp.add_url_rule(_base.format("iid:interaction_id"), view_func=_view, methods=["POST"])
    bp.add_url_rule(_base.format("ext:external_id"), f"{_view.__name__}_by_external_id", _view, methods=["POST"])
