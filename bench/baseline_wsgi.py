"""Baseline: a bare WSGI callable with the seven vendor routes and dict handlers (the floor for any Python app)."""

import argparse
import json
import uuid

PREFIX = "/nexus/v3/openmedia/"


def create_app():
    by_id: dict = {}
    by_ext: dict = {}

    def answer(start_response, status, payload):
        body = json.dumps(payload).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def read(environ) -> dict:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {}
        return body if isinstance(body, dict) else {}

    def find(service, ref):
        return by_ext.get((service, ref[4:])) if ref.startswith("ext_") else by_id.get(ref)

    def app(environ, start_response):
        """/nexus/v3/openmedia/{service}/interactions[/{ref}[/stop|/update]]"""
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        parts = path[len(PREFIX):].split("/") if path.startswith(PREFIX) else []
        if len(parts) < 2 or parts[1] != "interactions" or len(parts) > 4:
            return answer(start_response, "404 Not Found", {"status": {"code": 404, "message": "no such path"}})
        service = parts[0]
        if len(parts) == 2 and method == "POST":
            body = read(environ)
            item = {"id": str(uuid.uuid4()), "externalId": body.get("externalId"), "openMediaService": service,
                    "state": "queued", "userData": body.get("userData") or {}}
            by_id[item["id"]] = item
            if item["externalId"] is not None:
                by_ext[(service, item["externalId"])] = item
            return answer(start_response, "200 OK", {"status": {"code": 0, "message": "OK"}, "data": item})
        item = find(service, parts[2]) if len(parts) > 2 else None
        if item is None:
            return answer(start_response, "404 Not Found", {"status": {"code": 404, "message": "not found"}})
        if len(parts) == 4 and method == "POST" and parts[3] == "stop":
            by_id.pop(item["id"], None)
            by_ext.pop((service, item["externalId"]), None)
            item = dict(item, state="stopped")
        elif len(parts) == 4 and method == "POST" and parts[3] == "update":
            item["userData"] = {**item["userData"], **read(environ).get("changedProperties", {})}
        elif len(parts) != 3 or method != "GET":
            return answer(start_response, "405 Method Not Allowed", {"status": {"code": 405, "message": "no"}})
        return answer(start_response, "200 OK", {"status": {"code": 0, "message": "OK"}, "data": item})

    return app


def serve(app, port: int, threads: int) -> None:
    """The same waitress set-up as baseline_flask.serve."""
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
