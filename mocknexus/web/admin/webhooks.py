"""Admin routes for the interactions webhook (§6): register, list, remove; the deliveries and a wait for them."""

from flask import g, request

from mocknexus.core.errors import NotFound, ServiceUnavailable, WaitTimedOut
from mocknexus.schemas.webhooks import deliveries_query, delivery_wait, webhook_schema
from mocknexus.web.admin import bp
from mocknexus.web.admin.journal import _waiters
from mocknexus.web.http import json_response, read_json


@bp.post("/webhooks")
def add_webhook():
    """Register a webhook (only `url` is required); answers it with its `id`. At most 100 per namespace."""
    webhook = g.world.webhooks.add(webhook_schema.load(read_json(required=True, what="a webhook object")))
    return json_response(webhook.to_json())


@bp.get("/webhooks")
def list_webhooks():
    """This namespace's webhooks, secrets included."""
    return json_response({"webhooks": [w.to_json() for w in g.world.webhooks.hooks.values()]})


@bp.delete("/webhooks")
def clear_webhooks():
    """Remove every webhook of this namespace; their pending deliveries fail."""
    return json_response({"status": "ok", "deleted": g.world.webhooks.clear()})


@bp.delete("/webhooks/<hook:webhook_id>")
def delete_webhook(webhook_id):
    """Remove one webhook; its pending deliveries fail. 404 when there is none with that id."""
    if not g.world.webhooks.remove(webhook_id):
        raise NotFound(f"No webhook with id '{webhook_id}'")
    return json_response({"status": "ok", "deleted": 1})


@bp.get("/webhooks/deliveries")
def list_deliveries():
    """Deliveries oldest first; ?webhook=ID, event=STARTED|FINISHED, state=pending|delivered|failed filter;
    ?limit=K keeps the newest K."""
    query = deliveries_query.load(request.args.to_dict())
    limit = query.pop("limit", None)
    return json_response({"deliveries": g.world.webhooks.find(query, limit)})


@bp.post("/webhooks/deliveries/wait")
def wait_for_deliveries():
    """Block until `count` matching deliveries exist: 200 with them, or 408 at `timeoutMs` with those seen.
    It shares the journal wait's cap (threads - 1 at once, 503 beyond)."""
    body = delivery_wait.load(read_json())
    if not _waiters().acquire(blocking=False):
        raise ServiceUnavailable("Too many requests are waiting at once; start the server with more --threads")
    try:
        met, found = g.world.webhooks.wait(body["match"], body["count"], body["timeout_ms"] / 1000)
    finally:
        _waiters().release()
    if not met:
        raise WaitTimedOut(f"{len(found)} of {body['count']} matching deliveries were there within "
                           f"{body['timeout_ms']} ms", found, key="deliveries")
    return json_response({"deliveries": found})
