"""Blueprint: the /__admin routes of §2 (test control); no API key, never faulted, never journaled.

Routes live in one small module per capability (state, journal, clock, faults, namespaces, moves, lifecycle,
webhooks); each registers its views on `bp` when imported below."""

import hmac

from flask import Blueprint, current_app, request

from mocknexus.core.errors import Unauthorized

bp = Blueprint("admin", __name__, url_prefix="/__admin")


@bp.before_request
def _check_admin_token():
    """With --admin-token, every admin route needs `Authorization: Bearer <token>` (vendor routes do not)."""
    token = current_app.extensions["mocknexus.config"].admin_token
    if not token:
        return
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Unauthorized("The admin API needs the header 'Authorization: Bearer <admin token>'",
                           headers={"WWW-Authenticate": 'Bearer realm="mocknexus admin"'})


from mocknexus.web.admin import clock, faults, journal, lifecycle, moves, namespaces, state, webhooks  # noqa: E402,F401  (register routes on bp)
