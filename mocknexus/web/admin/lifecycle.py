"""Admin routes for a service's lifecycle timetable (§5.1): read it, set it at run time."""

from flask import g

from mocknexus.web.admin import bp
from mocknexus.web.http import json_response, read_json


@bp.get("/services/<name>/lifecycle")
def get_lifecycle(name):
    """The service's lifecycle in this namespace: {"lifecycle": [...]} ([] when it has none)."""
    g.world.store.service(name)  # 404 when there is no such service
    return _answer(name)


@bp.put("/services/<name>/lifecycle")
def put_lifecycle(name):
    """Set (or with [] remove) the service's lifecycle; it applies to interactions created from now on
    (reset restores the loaded one)."""
    from mocknexus.schemas.simulator import lifecycle_body  # lazy: `serve` starts without marshmallow

    steps = lifecycle_body.load(read_json(required=True))["lifecycle"]
    g.world.set_lifecycle(name, tuple(steps))
    return _answer(name)


def _answer(name):
    return json_response({"lifecycle": [step.to_json() for step in g.world.lifecycles.get(name, ())]})
