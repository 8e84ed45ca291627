"""Blueprint: GET /openapi.json, the OpenAPI document (openapi_document.py), built on its first request."""

from flask import Blueprint, current_app

from mocknexus.web.http import json_response

bp = Blueprint("openapi", __name__)

_CACHE = "mocknexus.openapi"


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI document of the vendor and admin APIs (§2.6); built once per app."""
    return json_response(document(current_app))


def document(app) -> dict:
    """The document for `app`, built on first use and then kept with the app (its routes never change)."""
    cached = app.extensions.get(_CACHE)
    if cached is None:  # two first requests at once may both build it: the same document, one is kept
        # Imported here: apispec, the schemas and marshmallow, which `serve` starts without (most never serve this).
        from mocknexus.web.openapi_document import build

        cached = app.extensions.setdefault(_CACHE, build(app))
    return cached
