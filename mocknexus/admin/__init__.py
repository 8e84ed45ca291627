"""Blueprint: the /__admin routes of §2 (test control); no API key, never faulted, never journaled.

Routes live in one small module per capability (state, journal, clock, faults, namespaces); each
registers its views on `bp` when imported below."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/__admin")

from mocknexus.admin import state  # noqa: E402,F401  (registers routes on bp)
