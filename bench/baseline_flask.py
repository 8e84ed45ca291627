"""Baseline: a minimal Flask app with the seven vendor routes and trivial dict handlers, on waitress."""

import argparse
import uuid

from flask import Flask, request

BASE = "/nexus/v3/openmedia/<service>/interactions"


def create_app() -> Flask:
    """The framework floor for mocknexus: routing, a JSON body, a dict, a JSON envelope."""
    app = Flask("baseline_flask")
    by_id: dict = {}
    by_ext: dict = {}

    def ok(item):
        return {"status": {"code": 0, "message": "OK"}, "data": item}

    def find(service, ref):
        item = by_ext.get((service, ref[4:])) if ref.startswith("ext_") else by_id.get(ref)
        return item if item is not None else ({"status": {"code": 404, "message": "not found"}}, 404)

    @app.post(BASE)
    def create(service):
        """createInteraction."""
        body = request.get_json(silent=True) or {}
        item = {"id": str(uuid.uuid4()), "externalId": body.get("externalId"), "openMediaService": service,
                "state": "queued", "userData": body.get("userData") or {}}
        by_id[item["id"]] = item
        if item["externalId"] is not None:
            by_ext[(service, item["externalId"])] = item
        return ok(item)

    @app.get(f"{BASE}/<ref>")
    def get(service, ref):
        """getInteraction / getInteractionByExternalId."""
        item = find(service, ref)
        return item if isinstance(item, tuple) else ok(item)

    @app.post(f"{BASE}/<ref>/stop")
    def stop(service, ref):
        """stopInteraction / stopInteractionByExternalId."""
        item = find(service, ref)
        if isinstance(item, tuple):
            return item
        by_id.pop(item["id"], None)
        by_ext.pop((service, item["externalId"]), None)
        return ok(dict(item, state="stopped"))

    @app.post(f"{BASE}/<ref>/update")
    def update(service, ref):
        """updateInteraction / updateInteractionByExternalId."""
        item = find(service, ref)
        if isinstance(item, tuple):
            return item
        body = request.get_json(silent=True) or {}
        item["userData"] = {**item["userData"], **body.get("changedProperties", {})}
        return ok(item)

    return app


def serve(app, port: int, threads: int) -> None:
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=port, threads=threads)
    print(f"listening on http://127.0.0.1:{server.effective_port}", flush=True)
    server.run()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    serve(create_app(), args.port, args.threads)
