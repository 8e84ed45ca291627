"""Flask: create_app, the vendor blueprint and its fast path, routing, HTTP helpers, fault injection, the OpenAPI
document, and the admin blueprint (one module per capability in `admin/`).

May import `core`, `state`, `schemas`, Flask, werkzeug, marshmallow and apispec. Never waitress: the app is plain
WSGI and runs under any server (the Flask test client included). `api` and `admin` never import each other."""
