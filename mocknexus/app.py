"""create_app(): the Flask app with both blueprints, the namespace dispatch and the one error handler."""

import functools
import os
import sys
import time
import traceback

from flask import Flask, current_app, g, request
from flask.sessions import NullSession, SessionInterface
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from mocknexus import admin, api, openapi
from mocknexus.clock import Clock
from mocknexus.config import ServerConfig
from mocknexus.errors import ApiError, BadRequest, InternalError, envelope
from mocknexus.fixtures import FixtureSet, load_fixtures
from mocknexus.http import details, header_safe, json_response
from mocknexus.routing import ExternalIdConverter, InteractionIdConverter, NamespaceMiddleware
from mocknexus.world import Worlds

TRACE_HEADER = "X-B3-TraceId"
_TRACE_KEY = "HTTP_" + TRACE_HEADER.upper().replace("-", "_")


def create_app(config: ServerConfig | None = None, fixtures: FixtureSet | None = None) -> Flask:
    """The only way to get an app. `fixtures` defaults to loading `config.fixtures` (raises FixtureError)."""
    config = config or ServerConfig()
    if fixtures is None:
        fixtures = load_fixtures(config.fixtures, Clock().now()) if config.fixtures else FixtureSet.empty()
    app = Flask("mocknexus")
    # Flask asks of every hook and view, on every request, whether it is a coroutine function (seven
    # inspect calls a request here); ours never change, so it asks once per function (its documented hook).
    app.ensure_sync = functools.cache(app.ensure_sync)
    # Flask's automatic OPTIONS answers an empty text/html 200; every route here answers JSON or a JSON 405.
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    app.url_map.strict_slashes = False
    app.url_map.merge_slashes = False  # "//" would answer a 308 redirect with an HTML body; a 404 instead
    app.url_map.converters["ext"] = ExternalIdConverter
    app.url_map.converters["iid"] = InteractionIdConverter
    app.extensions["mocknexus"] = Worlds(fixtures.with_api_keys(config.api_keys), config)
    app.extensions["mocknexus.config"] = config
    app.extensions["mocknexus.errors"] = []  # unexpected exceptions, for whoever runs the server to re-raise
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(openapi.bp)  # GET /openapi.json: neither vendor nor admin, so never journaled
    app.before_request(functools.partial(_choose_world, app.extensions["mocknexus"]))
    app.after_request(functools.partial(_trace_and_log, config))
    app.session_interface = _NoSessions()
    app.register_error_handler(Exception, _render_error)
    app.wsgi_app = NamespaceMiddleware(app.wsgi_app)
    return app


def _choose_world(worlds: Worlds):
    name = request.environ.get("mocknexus.namespace")
    g.world = worlds.default if name is None else worlds.get(name)


class _NoSessions(SessionInterface):
    """No cookie sessions here: Flask would otherwise open one (and make a null one) on every request."""

    null = NullSession()  # read-only and empty, so one serves every request

    def open_session(self, app, request):
        return self.null

    def save_session(self, app, session, response):
        return None


def _trace_and_log(config: ServerConfig, response):
    req = request._get_current_object()  # on every request: one context lookup, not five
    trace = req.environ.get(_TRACE_KEY)  # = req.headers.get(TRACE_HEADER), without the EnvironHeaders
    response.headers[TRACE_HEADER] = header_safe(trace) if trace else os.urandom(8).hex()  # 16 hex digits
    if config.access_log:
        sys.stdout.write(f'{req.remote_addr} - [{_log_time()}] '
                         f'"{req.method} {header_safe(req.full_path.rstrip("?"))}" {response.status_code}\n')
        sys.stdout.flush()
    return response


_stamp: tuple[int, str] = (-1, "")


def _log_time() -> str:
    """time.strftime of the access log, formatted once per second (under load, many lines share it)."""
    global _stamp
    now = int(time.time())
    if _stamp[0] != now:
        _stamp = (now, time.strftime("%d/%b/%Y %H:%M:%S", time.localtime(now)))
    return _stamp[1]


def _render_error(error: Exception):
    """The one place an error becomes a response: always the §1.1 envelope, never HTML or a traceback."""
    if isinstance(error, ValidationError):
        error = BadRequest("Invalid request parameters provided", details(error))
    if isinstance(error, ApiError):
        return json_response(error.to_envelope(), error.status, error.headers)
    if isinstance(error, HTTPException):
        allow = getattr(error, "valid_methods", None)  # a 405 must say what is allowed (RFC 9110 15.5.6)
        return json_response(envelope(error.code, _http_message(error)), error.code,
                             {"Allow": ", ".join(allow)} if allow else None)
    current_app.extensions["mocknexus.errors"].append(error)
    traceback.print_exception(error, file=sys.stderr)
    failure = InternalError(f"Internal server error ({error.__class__.__name__}); mocknexus logged the details")
    return json_response(failure.to_envelope(), failure.status)


def _http_message(error: HTTPException) -> str:
    if error.code == 404:
        return f"No such path: {header_safe(request.path)}"
    if error.code == 405:
        return f"Method {request.method} is not allowed on {header_safe(request.path)}"
    if error.code == 413:
        return "Request body is too large"
    return error.description or error.name

