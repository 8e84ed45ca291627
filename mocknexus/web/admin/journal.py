"""Admin routes for the request journal (§2.2): list with filters, empty, and wait for requests."""

from flask import g, request

from mocknexus.web.admin import bp
from mocknexus.web.admin.waits import held_wait
from mocknexus.web.http import json_response, read_json


@bp.get("/requests")
def list_requests():
    """Vendor requests oldest first; ?operation, method, path (a regex), status, service filter; ?limit=K
    keeps the newest K; ?since=ID gives only the records after that id (how a page follows the journal)."""
    from mocknexus.schemas.admin import requests_query  # lazy: `serve` starts without marshmallow

    query = requests_query.load(request.args.to_dict())
    limit, since = query.pop("limit", None), query.pop("since", None)
    return json_response({"requests": g.world.journal.find(query, limit, since)})


@bp.delete("/requests")
def clear_requests():
    """Empty this namespace's journal."""
    g.world.journal.clear()
    return json_response({"status": "ok"})


@bp.post("/requests/wait")
def wait_for_requests():
    """As soon as `count` matching requests are in the journal: 200 with them; at `timeoutMs`, a 408 with
    those seen. Held, not slept: the request keeps a connection, not a thread (web/hold.py)."""
    from mocknexus.schemas.admin import wait_request  # lazy: `serve` starts without marshmallow

    return held_wait(g.world.journal, wait_request.load(read_json()), "requests")
