"""Admin routes for namespaces (§2.5): list them, drop one."""

from flask import current_app

from mocknexus.core.errors import NotFound
from mocknexus.web.admin import bp
from mocknexus.web.http import json_response


@bp.get("/namespaces")
def list_namespaces():
    """Every live namespace (default first, then least recently used first), with its live interactions
    and journal size."""
    worlds = current_app.extensions["mocknexus"].all()
    return json_response({"namespaces": [
        {"name": w.name, "interactions": w.store.live_count(), "requests": len(w.journal)} for w in worlds
    ]})


@bp.delete("/namespaces/<name>")
def drop_namespace(name):
    """Drop a namespace: its next use makes it afresh from the fixtures. `default` cannot go away, so
    dropping it resets it (which is what a fresh world is)."""
    if not current_app.extensions["mocknexus"].drop(name):
        raise NotFound(f"No namespace '{name}'")
    return json_response({"status": "ok"})
