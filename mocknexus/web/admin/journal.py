"""Admin routes for the request journal (§2.2): list with filters, empty, and wait for requests."""

import threading

from flask import current_app, g, request

from mocknexus.core.errors import BadRequest, ServiceUnavailable, WaitTimedOut
from mocknexus.schemas.admin import requests_query, wait_request
from mocknexus.web.admin import bp
from mocknexus.web.http import json_response, read_json


@bp.get("/requests")
def list_requests():
    """Vendor requests oldest first; ?operation, method, path (a regex), status, service filter; ?limit=K
    keeps the newest K; ?since=ID gives only the records after that id (how a page follows the journal)."""
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
    """Block (on a condition variable, no polling) until `count` matching requests are in the journal:
    200 with them, or 408 at `timeoutMs` with those seen. Each waiter holds a server thread, so at most
    threads - 1 wait at once (503 beyond): one thread always stays free to serve the awaited requests."""
    body = wait_request.load(read_json())
    if body["count"] > g.world.journal.size:
        raise BadRequest("Invalid request parameters provided",
                         {"count": [f"The journal keeps {g.world.journal.size} requests; more can never match."]})
    if not _waiters().acquire(blocking=False):
        raise ServiceUnavailable("Too many requests are waiting at once; start the server with more --threads")
    try:
        met, found = g.world.journal.wait(body["match"], body["count"], body["timeout_ms"] / 1000)
    finally:
        _waiters().release()
    if not met:
        raise WaitTimedOut(f"{len(found)} of {body['count']} matching requests arrived "
                           f"within {body['timeout_ms']} ms", found)
    return json_response({"requests": found})


def _waiters() -> threading.Semaphore:
    """One semaphore per app (server), made on first use; dict.setdefault keeps a racing twin out."""
    extensions = current_app.extensions
    semaphore = extensions.get("mocknexus.waiters")
    if semaphore is None:
        threads = current_app.extensions["mocknexus.config"].threads
        semaphore = extensions.setdefault("mocknexus.waiters", threading.Semaphore(max(threads - 1, 1)))
    return semaphore
