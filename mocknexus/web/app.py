"""create_app(): the Flask app with its blueprints, the namespace and vendor dispatch, and the error handler."""

import functools

from flask import Flask, current_app, request
from flask.ctx import _AppCtxGlobals
from flask.sessions import NullSession, SessionInterface

from mocknexus.core.clock import Clock
from mocknexus.core.config import ServerConfig
from mocknexus.core.ids import IdFactory
from mocknexus.schemas.reader import load_fixtures
from mocknexus.state.fixtureset import FixtureSet
from mocknexus.state.world import Worlds
from mocknexus.web import admin, api, openapi, ui
from mocknexus.web.dispatch import VendorDispatch
from mocknexus.web.hold import HeldResponse
from mocknexus.web.http import ACCESS_LOG, render_error, trace_and_log
from mocknexus.web.routing import (
    ExternalIdConverter,
    InteractionIdConverter,
    LazyBuildRule,
    NamespaceMiddleware,
    WebhookIdConverter,
)


def create_app(config: ServerConfig | None = None, fixtures: FixtureSet | None = None, access_log=None) -> Flask:
    """The only way to get an app. `fixtures` defaults to loading `config.fixtures` (raises FixtureError).
    `access_log`: anything with `request(req, status)`, told of every answer (the serving layer's AccessLog)."""
    config = config or ServerConfig()
    if fixtures is None:
        fixtures = load_fixtures(config.fixtures, Clock().now(), _fixture_ids(config)) if config.fixtures \
            else FixtureSet.empty()
    app = Flask("mocknexus")
    app.url_rule_class = LazyBuildRule  # the rules' URL builders compiled on first use (none is, here)
    # Flask asks of every hook and view, on every request, whether it is a coroutine function (seven
    # inspect calls a request here); ours never change, so it asks once per function (its documented hook).
    app.ensure_sync = functools.cache(app.ensure_sync)
    # Flask's automatic OPTIONS answers an empty text/html 200; every route here answers JSON or a JSON 405.
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    app.url_map.strict_slashes = False
    app.url_map.merge_slashes = False  # "//" would answer a 308 redirect with an HTML body; a 404 instead
    app.url_map.converters["ext"] = ExternalIdConverter
    app.url_map.converters["iid"] = InteractionIdConverter
    app.url_map.converters["hook"] = WebhookIdConverter
    app.extensions["mocknexus"] = Worlds(fixtures.with_api_keys(config.api_keys), config)
    app.extensions["mocknexus.config"] = config
    app.extensions["mocknexus.errors"] = []  # unexpected exceptions, for whoever runs the server to re-raise
    app.extensions[ACCESS_LOG] = access_log
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(openapi.bp)  # GET /openapi.json: neither vendor nor admin, so never journaled
    app.register_blueprint(ui.bp)  # GET /__admin/ui: the dashboard's page and files
    app.app_ctx_globals_class = _Globals
    app.after_request(functools.partial(_trace_and_log, app.extensions[ACCESS_LOG]))
    app.session_interface = _NoSessions()
    app.register_error_handler(Exception, _render_error)
    app.wsgi_app = NamespaceMiddleware(VendorDispatch(app, app.wsgi_app))
    return app


def _fixture_ids(config: ServerConfig):
    """With --seed, fixture interactions without an id get repeatable ids too: from a sequence of their own,
    so the first create of a world (whose sequence starts from the seed itself) cannot meet one of them."""
    if config.seed is None:
        return None
    ids = IdFactory(f"fixtures:{config.seed}")
    return functools.partial(ids.new, config.settings.id_style)


class _Globals(_AppCtxGlobals):
    """Flask's `g` (its documented app_ctx_globals_class), with `g.world` chosen on first use: a request
    refused before its view (a wrong admin token), or one that needs no world (a 404, a tokenless health
    probe), makes no namespace and leaves the least recently used order as it was (§9)."""

    @functools.cached_property
    def world(self):
        return current_app.extensions["mocknexus"].of(request.environ)


class _NoSessions(SessionInterface):
    """No cookie sessions here: Flask would otherwise open one (and make a null one) on every request."""

    null = NullSession()  # read-only and empty, so one serves every request

    def open_session(self, app, request):
        return self.null

    def save_session(self, app, session, response):
        return None


def _trace_and_log(access_log, response):
    req = request._get_current_object()
    if isinstance(response, HeldResponse):  # the real answer comes later: trace and log that one
        response.finish.append(functools.partial(trace_and_log, access_log, req))
        return response
    return trace_and_log(access_log, req, response)


def _render_error(error: Exception):
    return render_error(error, request.method, request.path, current_app.extensions["mocknexus.errors"])
