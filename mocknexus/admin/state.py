"""Admin routes for the world's state: health, reset (more: interactions, state, settings)."""

from flask import g

from mocknexus import __version__
from mocknexus.admin import bp
from mocknexus.http import json_response


@bp.get("/health")
def health():
    """Liveness, version and the number of live interactions in this namespace."""
    return json_response({"status": "ok", "version": __version__, "interactions": g.world.store.live_count()})


@bp.post("/reset")
def reset():
    """Back to the loaded fixtures: interactions, faults, journal, clock, settings, ids."""
    g.world.reset()
    return json_response({"status": "ok"})
