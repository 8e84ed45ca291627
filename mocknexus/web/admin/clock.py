"""Admin routes for the virtual clock (§2.3): read, freeze/set/resume, advance."""

from flask import g

from mocknexus.web.admin import bp
from mocknexus.web.http import json_response, read_json


@bp.get("/clock")
def get_clock():
    """The namespace's clock: {"now": ISO, "frozen": bool}."""
    return json_response(g.world.clock.to_json())


@bp.put("/clock")
def put_clock():
    """{"now": ISO} freezes there; {"frozen": false} runs from real time again; {"now": ISO, "frozen": false}
    runs on from that moment; {"frozen": true} freezes where it is."""
    from mocknexus.schemas.admin import clock_put  # lazy: `serve` starts without marshmallow

    body = clock_put.load(read_json(required=True))
    clock = g.world.clock
    frozen = body.get("frozen", True)
    if "now" not in body and frozen:
        clock.freeze()
    elif "now" not in body:
        clock.resume()
    elif frozen:
        clock.freeze(body["now"])
    else:
        clock.run_from(body["now"])
    g.world.timetable.clock_changed()  # the steps now due are done before this answers (§5.1)
    return json_response(clock.to_json())


@bp.post("/clock/advance")
def advance_clock():
    """Move the clock by {"seconds": N} (fractions and negative numbers too), frozen or running."""
    from mocknexus.schemas.admin import clock_advance  # lazy: `serve` starts without marshmallow

    g.world.clock.advance(clock_advance.load(read_json(required=True))["seconds"])
    g.world.timetable.clock_changed()
    return json_response(g.world.clock.to_json())
