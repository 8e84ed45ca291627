"""Blueprint: the dashboard of §7, GET /__admin/ui, one page and its files, shipped in the package."""

import functools
from html import escape
from importlib.resources import files

from flask import Blueprint, Response, current_app, request

from mocknexus.core.errors import NotFound
from mocknexus.state.world import NAMESPACE

# Not the admin blueprint: the page and its files hold no admin data (the script asks the admin API for
# it, with the token), so they need no token, make no namespace (app.py) and are not API (not in openapi).
bp = Blueprint("ui", __name__, url_prefix="/__admin/ui")

_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".png": "image/png"}
# The browser loads nothing from anywhere else and runs no inline script, whatever a journal entry holds.
_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                               "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@functools.cache
def _assets() -> dict[str, tuple[bytes, str]]:
    """name → (bytes, content type), read from the package once, on the first request for the page."""
    folder = files(__package__).joinpath("assets")
    return {item.name: (item.read_bytes(), _TYPES[item.name[item.name.rfind("."):]])
            for item in folder.iterdir() if item.name[item.name.rfind("."):] in _TYPES}


@bp.get("")
def dashboard():
    """The page; it tells its script the server root, the namespace it opened in and whether a token is needed."""
    namespace = request.environ.get(NAMESPACE) or "default"
    base = request.script_root
    fill = {"base": base, "namespace": namespace,
            "root": base.removesuffix(f"/__ns/{namespace}") if namespace != "default" else base,
            "token": "needed" if current_app.extensions["mocknexus.config"].admin_token else "none"}
    page = _assets()["index.html"][0].decode("utf-8")
    for name, value in fill.items():
        page = page.replace("{{" + name + "}}", escape(value))
    return _answer(page.encode("utf-8"), _TYPES[".html"])


@bp.get("/<name>")
def asset(name):
    """One of the page's scripts and styles."""
    found = _assets().get(name)
    if found is None or name == "index.html":
        raise NotFound(f"The dashboard has no file '{name}'")
    return _answer(*found)


def _answer(content: bytes, content_type: str):
    response = Response(content, 200, _HEADERS, content_type=content_type)
    response.add_etag()
    return response.make_conditional(request)
