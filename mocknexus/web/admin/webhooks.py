"""Admin routes for the interactions webhook (§6): register, list, remove; the deliveries and a wait for them."""

from flask import g, request

from mocknexus.core.errors import NotFound
from mocknexus.web.admin import bp
from mocknexus.web.admin.waits import held_wait
from mocknexus.web.http import json_response, read_json


@bp.post("/webhooks")
def add_webhook():
    """Register a webhook (only `url` is required); answers it with its `id`. At most 100 per namespace."""
    from mocknexus.schemas.webhooks import webhook_schema  # lazy: `serve` starts without marshmallow

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
    from mocknexus.schemas.webhooks import deliveries_query  # lazy: `serve` starts without marshmallow

    query = deliveries_query.load(request.args.to_dict())
    limit = query.pop("limit", None)
    return json_response({"deliveries": g.world.webhooks.find(query, limit)})


@bp.post("/webhooks/deliveries/wait")
def wait_for_deliveries():
    """As soon as `count` matching deliveries exist: 200 with them; at `timeoutMs`, a 408 with those seen.
    Held, not slept: the request keeps a connection, not a thread (web/hold.py)."""
    from mocknexus.schemas.webhooks import delivery_wait  # lazy: `serve` starts without marshmallow

    return held_wait(g.world.webhooks, delivery_wait.load(read_json()), "deliveries")
