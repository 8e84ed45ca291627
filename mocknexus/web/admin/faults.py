"""Admin routes for fault rules (§2.4): list, add, remove all, remove one."""

from flask import g, request

from mocknexus.core.errors import NotFound, PayloadTooLarge
from mocknexus.state.faults import MAX_RULE_BYTES
from mocknexus.web.admin import bp
from mocknexus.web.http import json_response, read_json


@bp.get("/faults")
def list_faults():
    """This namespace's rules in the order they are tried, each with its `id`, `matched` and `fired` counts."""
    from mocknexus.schemas.faults import rule_schema  # lazy: `serve` starts without marshmallow

    return json_response({"faults": rule_schema.dump(g.world.faults.rules, many=True)})


@bp.post("/faults")
def add_fault():
    """Add a rule (validated whole: a bad one is a 400 with details and nothing is added); answers it with its id.
    At most MAX_RULE_BYTES of JSON (413), so that 1000 rules are a bounded amount of memory (README "Limits")."""
    from mocknexus.schemas.faults import rule_schema  # lazy: `serve` starts without marshmallow

    if len(request.get_data(cache=True)) > MAX_RULE_BYTES:
        raise PayloadTooLarge(f"A fault rule may be at most {MAX_RULE_BYTES} bytes of JSON")
    rule = g.world.faults.add(**rule_schema.load(read_json(required=True, what="a fault rule object")))
    return json_response(rule_schema.dump(rule))


@bp.delete("/faults")
def clear_faults():
    """Remove every rule of this namespace."""
    return json_response({"status": "ok", "deleted": g.world.faults.clear()})


@bp.delete("/faults/<rule_id>")
def delete_fault(rule_id):
    """Remove one rule; 404 when there is none with that id."""
    if not g.world.faults.remove(rule_id):
        raise NotFound(f"No fault rule with id '{rule_id}'")
    return json_response({"status": "ok", "deleted": 1})
