"""The vendor fast path: a request that routes to one of the seven operations is served without Flask's contexts."""

import functools
import re

from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge
from werkzeug.sansio.utils import get_content_length

from mocknexus.web import api, inject
from mocknexus.web.hold import later
from mocknexus.web.http import ACCESS_LOG, render_error, reply, trace_and_log, wsgi_text


class VendorRequest:
    """What the fast path reads of a request, computed as werkzeug's Request computes it (path, method,
    remote_addr), at a third of the cost of building one, and without the cycle a werkzeug Request makes
    with its environ (`environ["werkzeug.request"]`), which left every request to the garbage collector."""

    __slots__ = ("environ", "method", "path")

    def __init__(self, environ: dict):
        self.environ = environ
        self.method = environ.get("REQUEST_METHOD", "GET").upper()
        self.path = "/" + wsgi_text(environ.get("PATH_INFO") or "").lstrip("/")

    @property
    def remote_addr(self) -> str | None:
        return self.environ.get("REMOTE_ADDR")


class Call:
    """One vendor request as the checks, the view, fault injection and the journal see it (what `g` was)."""

    __slots__ = ("app", "world", "request", "environ", "operation", "args", "length", "warnings", "body",
                 "parsed", "fault", "_raw")

    def __init__(self, app, request: VendorRequest, operation: str, args: dict):
        self.app, self.world, self.request, self.environ = app, None, request, request.environ
        self.operation, self.args = operation, args
        self.length = _content_length(self.environ)
        self.warnings: list[str] = []
        self.body = None  # the body as far as it was read and parsed, for the journal
        self.parsed = None  # the body as a JSON object, once read_json has read one
        self.fault = None
        self._raw = None

    def raw_body(self) -> bytes:
        """The body, read once, as werkzeug's get_data reads it: Content-Length bytes; without one, to the
        end when the server marks the input terminated (waitress does; chunked bodies), up to the size limit."""
        if self._raw is None:
            stream = self.environ["wsgi.input"]
            if self.length is not None:
                self._raw = stream.read(self.length)
                if len(self._raw) < self.length:  # what werkzeug's stream would say
                    raise ClientDisconnected()
            elif self.environ.get("wsgi.input_terminated"):
                limit = self.world.settings.max_body
                self._raw = stream.read(limit + 1)
                if len(self._raw) > limit:
                    raise RequestEntityTooLarge()
            else:
                self._raw = b""  # no length and no end marker: WSGI says do not read
        return self._raw

    @property
    def read_so_far(self) -> bytes | None:
        """The body if raw_body has read it, else None."""
        return self._raw


def _content_length(environ: dict) -> int | None:
    """= werkzeug's request.content_length, with the usual case (plain digits, no Transfer-Encoding) first."""
    value = environ.get("CONTENT_LENGTH")
    if value and value.isdigit() and value.isascii() and "HTTP_TRANSFER_ENCODING" not in environ:
        return int(value)
    return get_content_length(value, environ.get("HTTP_TRANSFER_ENCODING"))


class VendorDispatch:
    """WSGI, inside the app: routes with the app's own url_map and serves a vendor operation with the
    blueprint's views, checks, journal and error rendering, but none of Flask's per-request machinery
    (request and app contexts, session, signals, hook lookups): on these routes that machinery cost as much
    as the operation itself. Everything else (admin, /openapi.json, vendor paths that match no operation,
    whose 404s and 405s are journaled by api.py) goes on to Flask unchanged."""

    def __init__(self, app, flask_wsgi_app):
        self.app, self.next = app, flask_wsgi_app
        self.worlds = app.extensions["mocknexus"]
        self.access_log = app.extensions[ACCESS_LOG]
        self.routes = VendorRoutes(app.url_map)  # made last in create_app: every blueprint is registered

    def __call__(self, environ, start_response):
        req = VendorRequest(environ)
        if not req.path.startswith(api.VENDOR_ROOT):
            return self.next(environ, start_response)
        try:
            endpoint, args = self.routes.match(req.path, req.method)
        except HTTPException:  # 404, 405: Flask answers and journals them
            return self.next(environ, start_response)
        return self.serve(req, endpoint, args)(environ, start_response)

    def serve(self, req: VendorRequest, endpoint: str, args: dict):
        """Checks, then the operation, then the journal: three steps, so that a fault's delay can hold the
        answer between two of them without keeping a thread (web/hold.py)."""
        try:
            call = Call(self.app, req, api.operation_id(endpoint), args)
        except Exception as error:  # no call to journal
            return trace_and_log(self.access_log, req, self.render(error, req))
        try:
            # The key is checked before the world is made or used (api.authenticate sets call.world).
            call.world = self.worlds.of(req.environ, functools.partial(api.authenticate, call))
            api.check_request(call)
        except Exception as error:  # every error becomes the envelope
            return self.close(call, self.render(error, req))
        if call.fault is None:  # the usual case: no hold to arrange
            return self.operate(call, endpoint, args)
        return later(self.app, inject.delay(call, applied=False), self.operate, call, endpoint, args)

    def operate(self, call: Call, endpoint: str, args: dict):
        """The operation, or a fault's answer instead of it; then an applied fault's delay."""
        try:
            response = (call.fault and inject.instead(call)) or self.app.view_functions[endpoint](call, **args)
        except Exception as error:
            response = self.render(error, call.request)
        if call.fault is None:
            return self.close(call, response)
        return later(self.app, inject.delay(call, applied=True), self.close, call, response)

    def close(self, call: Call, response):
        """Fault marks, warnings, the journal record, the trace id and the access-log line."""
        try:
            response = api.journal(call, response)
        except Exception as error:  # a failure in the journal or a fault's marks: a 500
            response = self.render(error, call.request)
        return trace_and_log(self.access_log, call.request, response)

    def render(self, error: Exception, req: VendorRequest):
        return render_error(error, req.method, req.path, self.app.extensions["mocknexus.errors"], reply)


_VARIABLE = re.compile(r"<(?:(\w+):)?(\w+)>")  # a rule's <converter:name> or <name>


class VendorRoutes:
    """The url_map's vendor rules, each compiled to one regex from its converters' own `regex` and
    `to_python`: a request path in the canonical form matches in ~1 µs, where werkzeug's general matcher
    takes ~15. Anything they do not match (a trailing slash, a method a rule lacks) goes to werkzeug's
    matcher over the same url_map, which decides as Flask would (tests/test_dispatch.py checks they agree)."""

    def __init__(self, url_map):
        self.werkzeug = url_map.bind("mocknexus.invalid")  # these rules look at no host or scheme
        self.by_method: dict[str, list] = {}
        for rule in url_map.iter_rules():
            if rule.endpoint.startswith(f"{api.bp.name}."):
                compiled = self._compile(url_map, rule.rule) + (rule.endpoint,)
                for method in rule.methods:
                    self.by_method.setdefault(method, []).append(compiled)

    @staticmethod
    def _compile(url_map, rule: str) -> tuple:
        parts = _VARIABLE.split(rule)  # literal, converter, name, literal, converter, name, ..., literal
        pattern, converters = [re.escape(parts[0])], {}
        for kind, name, literal in zip(parts[1::3], parts[2::3], parts[3::3], strict=True):
            converter = url_map.converters[kind or "default"](url_map)
            converters[name] = converter.to_python
            pattern += [f"(?P<{name}>{converter.regex})", re.escape(literal)]
        return re.compile("".join(pattern)), converters

    def match(self, path: str, method: str) -> tuple[str, dict]:
        """(endpoint, arguments) as werkzeug's MapAdapter.match; raises its NotFound/MethodNotAllowed."""
        for regex, converters, endpoint in self.by_method.get(method, ()):
            found = regex.fullmatch(path)
            if found is not None:
                return endpoint, {name: converters[name](value) for name, value in found.groupdict().items()}
        return self.werkzeug.match(path, method)
