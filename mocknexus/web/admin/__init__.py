"""Blueprint: the /__admin routes of §2 (test control); no API key, never faulted, never journaled.

Routes live in one small module per capability (state, journal, clock, faults, namespaces, moves, lifecycle,
webhooks); each registers its views on `bp` when imported below."""

import hmac

from flask import Blueprint, current_app, request

from mocknexus.core.errors import PayloadTooLarge, Unauthorized

bp = Blueprint("admin", __name__, url_prefix="/__admin")


def token_given() -> bool:
    """True when the server has no --admin-token, or the request carries `Authorization: Bearer <token>`."""
    token = current_app.extensions["mocknexus.config"].admin_token
    if not token:
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@bp.before_request
def _check_admin_token():
    """With --admin-token, every admin route needs `Authorization: Bearer <token>` (vendor routes do not)."""
    if not token_given():
        raise Unauthorized("The admin API needs the header 'Authorization: Bearer <admin token>'",
                           headers={"WWW-Authenticate": 'Bearer realm="mocknexus admin"'})


@bp.before_request
def _check_body_size():
    """--max-admin-body, by Content-Length, before the body is read (§9; the server then never reads it)."""
    limit = current_app.extensions["mocknexus.config"].max_admin_body
    length = request.content_length
    if length is not None and length > limit:
        raise PayloadTooLarge(f"The request body is {length} bytes; the limit is {limit} (--max-admin-body)")


from mocknexus.web.admin import clock, faults, journal, lifecycle, moves, namespaces, state, webhooks  # noqa: E402,F401  (register routes on bp)
