"""The vendor fast path: a request that routes to one of the seven operations is served without Flask's contexts."""

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from mocknexus import api
from mocknexus.http import render_error, trace_and_log


class Call:
    """One vendor request as the checks, the view, fault injection and the journal see it (what `g` was)."""

    __slots__ = ("app", "world", "request", "environ", "operation", "args", "warnings", "body", "fault")

    def __init__(self, app, world, request: Request, operation: str, args: dict):
        self.app, self.world, self.request, self.environ = app, world, request, request.environ
        self.operation, self.args = operation, args
        self.warnings: list[str] = []
        self.body = None  # the body as far as it was read and parsed, for the journal
        self.fault = None


class VendorDispatch:
    """WSGI, inside the app: routes with the app's own url_map and serves a vendor operation with the
    blueprint's views, checks, journal and error rendering, but none of Flask's per-request machinery
    (request and app contexts, session, signals, hook lookups): on these routes that machinery cost as much
    as the operation itself. Everything else (admin, /openapi.json, vendor paths that match no operation,
    whose 404s and 405s are journaled by api.py) goes on to Flask unchanged."""

    def __init__(self, app, flask_wsgi_app):
        self.app, self.next = app, flask_wsgi_app
        self.worlds = app.extensions["mocknexus"]
        self.access_log = app.extensions["mocknexus.config"].access_log
        self._routes = None  # bound on first use: blueprints may still be registered after this is made

    def __call__(self, environ, start_response):
        req = Request(environ)  # werkzeug's request, without Flask's (whose attributes ask for an app context)
        if not req.path.startswith(api.VENDOR_ROOT):
            return self.next(environ, start_response)
        try:
            endpoint, args = self.routes.match(req.path, req.method)
        except HTTPException:  # 404, 405: Flask answers and journals them
            return self.next(environ, start_response)
        return self.serve(req, endpoint, args)(environ, start_response)

    @property
    def routes(self):
        if self._routes is None:
            # The same matching Flask does per request, bound once: these rules look at no host or scheme.
            self._routes = self.app.url_map.bind("mocknexus.invalid")
        return self._routes

    def serve(self, req: Request, endpoint: str, args: dict):
        try:
            call = Call(self.app, self.worlds.of(req.environ), req, api.operation_id(endpoint), args)
            try:
                response = api.check_request(call) or self.app.view_functions[endpoint](call, **args)
            except Exception as error:  # every error becomes the envelope
                response = self.render(error, req)
            response = api.journal(call, response)
        except Exception as error:  # a failure in the journal or a fault's marks: a 500
            response = self.render(error, req)
        return trace_and_log(self.access_log, req, response)

    def render(self, error: Exception, req: Request):
        return render_error(error, req.method, req.path, self.app.extensions["mocknexus.errors"])
