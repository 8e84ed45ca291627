"""Request and response helpers shared by the blueprints and the vendor dispatcher: JSON in, envelopes out."""

import json
import random
import re
import sys
import traceback

from flask import Response, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from mocknexus.core import strictjson
from mocknexus.core.errors import ApiError, BadRequest, InternalError, envelope
from mocknexus.core.strictjson import json_kind

_JSON = "application/json"
# A \uD800-\uDFFF escape: paired it is one character, alone it decodes to a str that cannot be encoded back.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


# json.dumps(x, ensure_ascii=False) builds a new encoder on every call; this one is built once (same output).
# No circular-reference check (~15% of an encode): what it encodes comes from json.loads or our own dicts.
# allow_nan=False: every answer is RFC 8259 JSON; a NaN that got past the readers is a 500, not a bare NaN.
_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False, allow_nan=False).encode
# The success envelope around `data`, as json.dumps writes {"status": {...}, "data": data} (default separators).
# Every JSON answer ends with a newline, so curl's output does not run into the prompt: one more character
# on the text already built, not a second encode.
_OK_HEAD, _OK_TAIL = '{"status": {"code": 0, "message": "OK"}, "data": ', "}\n"


def json_response(payload, status: int = 200, headers=None):
    """A Flask-side JSON answer (admin, /openapi.json, unrouted paths), encoded once, no sorting or indent."""
    # content_type, not mimetype: werkzeug would work out (again, per response) that JSON takes no charset.
    return Response(_encode(payload) + "\n", status, headers, content_type=_JSON)


def ok(payload):
    """The §1.1 success envelope of a vendor operation; only `data` goes through the encoder."""
    return Reply(_OK_HEAD + _encode(payload) + _OK_TAIL)


def reply(payload, status: int = 200, headers=None):
    """json_response for the vendor fast path (dispatch.py)."""
    return Reply(_encode(payload) + "\n", status, headers)


class Reply:
    """A JSON answer of the vendor fast path, written straight to WSGI. It has what the fast path uses of a
    werkzeug Response (`status_code`, `headers`, being a WSGI app) at a tenth of its cost: building one and
    calling it took ~8 µs, a sixth of a whole get. Fault answers (inject.py) stay werkzeug Responses."""

    __slots__ = ("status_code", "headers", "body")

    def __init__(self, text: str, status: int = 200, headers: dict | None = None):
        self.body = text.encode("utf-8")
        self.status_code = status
        self.headers = HeaderList([("Content-Type", _JSON), ("Content-Length", str(len(self.body)))])
        if headers:
            self.headers.update(headers)

    def __call__(self, environ, start_response):
        phrase = HTTP_STATUS_CODES.get(self.status_code)  # werkzeug's status line: "404 NOT FOUND"
        start_response(f"{self.status_code} {phrase.upper() if phrase else 'UNKNOWN'}", self.headers.items)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [self.body]


class HeaderList:
    """A Reply's headers: what the fast path does with werkzeug's Headers (add, `[name] = value`, update),
    on the plain list WSGI takes. Values are already safe: header_safe, or checked by the fault schema."""

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[str, str]]):
        self.items = items

    def add(self, name: str, value: str) -> None:
        self.items.append((name, value))

    def __setitem__(self, name: str, value: str) -> None:
        """Replaces every header of that name (any case), as Headers.set does."""
        lower = name.lower()
        self.items = [item for item in self.items if item[0].lower() != lower]
        self.items.append((name, value))

    def update(self, headers: dict) -> None:
        for name, value in headers.items():
            self[name] = value


def read_json(required: bool = False, what: str = "a JSON object", call=None):
    """The request body as a JSON object ({} when absent and not required); 400 for anything else.
    `call`: the vendor request being served (dispatch.Call), which keeps the object once parsed (a fault
    rule matching on externalId reads it before the view does); admin views leave it out and use Flask's."""
    if call is None:
        state, raw = g._get_current_object(), request.get_data(cache=True)  # one context lookup each
    elif call.parsed is not None:
        return call.parsed
    else:
        state, raw = call, call.raw_body()
    if not raw.strip():
        if required:
            raise BadRequest(f"The request body must be {what}")
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        state.body = raw.decode("utf-8", "replace")
        raise BadRequest(f"The request body is not UTF-8 (byte {exc.start})") from None
    state.body = text
    body = _parse(text)
    if strictjson.too_deep(body, text):  # checked before anything keeps it: rendering it back could fail
        raise BadRequest(f"The request body nests arrays and objects deeper than {strictjson.MAX_DEPTH} levels")
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(body)
    state.body = body
    if not isinstance(body, dict):
        raise BadRequest(f"The request body must be {what}, not {json_kind(body)}")
    if call is not None:
        call.parsed = body
    return body


def _parse(text: str):
    try:
        return strictjson.loads(text)
    except strictjson.NotStrictJson as exc:
        raise BadRequest(f"The request body is not strict JSON (RFC 8259): {exc}") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(f"The request body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise BadRequest("The request body is not JSON we can read: it nests arrays and objects too deeply") from None
    except ValueError as exc:
        raise BadRequest(f"The request body is not JSON we can read: {exc.__class__.__name__}") from None


def _refuse_lone_surrogates(body) -> None:
    """Stored, such a string would make every later answer about it fail to encode (a 500 that sticks)."""
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest("The request body has a lone UTF-16 surrogate escape (\\ud800-\\udfff): "
                         "not a character") from None


def details(error) -> dict:
    """marshmallow's nested messages (a ValidationError's) as the envelope's {field: [problems]} (nested fields
    as paths)."""
    from mocknexus.schemas.fixtures import problems  # marshmallow is imported by now: it raised `error`

    out: dict = {}
    for path, what in problems(error):
        out.setdefault(path.removeprefix("$.").removeprefix("$") or "body", []).append(what)
    return out


def header_safe(text: str) -> str:
    """Anything a client sent, fit for a response header: control and non-ASCII characters escaped."""
    if text.isascii() and text.isprintable() and "\\" not in text:  # the usual case: nothing to escape
        return text
    return text.encode("unicode_escape").decode("ascii")


def render_error(error: Exception, method: str, path: str, unexpected: list, respond=json_response):
    """The one place an error becomes a response: always the §1.1 envelope, never HTML or a traceback.
    `unexpected` collects what was not an error of ours, for whoever runs the server to re-raise;
    `respond` is json_response, or reply on the vendor fast path."""
    if _is_validation_error(error):
        error = BadRequest("Invalid request parameters provided", details(error))
    if isinstance(error, ApiError):
        return respond(error.to_envelope(), error.status, error.headers)
    if isinstance(error, HTTPException):
        allow = getattr(error, "valid_methods", None)  # a 405 must say what is allowed (RFC 9110 15.5.6)
        return respond(envelope(error.code, _http_message(error, method, path)), error.code,
                       {"Allow": ", ".join(allow)} if allow else None)
    unexpected.append(error)
    traceback.print_exception(error, file=sys.stderr)
    failure = InternalError(f"Internal server error ({error.__class__.__name__}); mocknexus logged the details")
    return respond(failure.to_envelope(), failure.status)


def _is_validation_error(error: Exception) -> bool:
    """A marshmallow ValidationError? marshmallow is imported with the first schema used (`serve` starts
    without it): until its class exists, no such error can (and while another thread imports it, its module
    may not have the class yet)."""
    error_class = getattr(sys.modules.get("marshmallow.exceptions"), "ValidationError", None)
    return error_class is not None and isinstance(error, error_class)


def _http_message(error: HTTPException, method: str, path: str) -> str:
    if error.code == 404:
        return f"No such path: {header_safe(path)}"
    if error.code == 405:
        return f"Method {method} is not allowed on {header_safe(path)}"
    if error.code == 413:
        return "Request body is too large"
    return error.description or error.name


TRACE_HEADER = "X-B3-TraceId"
ACCESS_LOG = "mocknexus.access_log"  # app.extensions key: what is told of every answer (create_app), or None
_TRACE_KEY = "HTTP_" + TRACE_HEADER.upper().replace("-", "_")
_DECIDED = "mocknexus.trace"  # environ key: the trace id decided before the answer (decide_trace)


def decide_trace(environ: dict) -> str:
    """The trace id this request's answer will carry, decided now: a webhook event it causes carries it too (§6)."""
    trace = environ.get(_DECIDED)
    if trace is None:
        given = environ.get(_TRACE_KEY)
        trace = environ[_DECIDED] = header_safe(given) if given else f"{random.getrandbits(64):016x}"
    return trace


def trace_and_log(access_log, req, response):
    """Every response: the caller's trace id echoed (or a new one), and its line in the access log, if any."""
    trace = req.environ.get(_TRACE_KEY)  # = req.headers.get(TRACE_HEADER), without the EnvironHeaders
    if trace:
        trace = header_safe(trace)
    else:  # decided already when the request caused a webhook event; else (the usual case) made now
        # 16 hex digits; not os.urandom, which gives up the GIL mid-answer (ids.py says why that matters)
        trace = req.environ.get(_DECIDED) or f"{random.getrandbits(64):016x}"
    response.headers[TRACE_HEADER] = trace
    if access_log is not None:
        access_log.request(req, response.status_code)
    return response


def wsgi_text(value: str) -> str:
    """A WSGI environ string (bytes as latin-1, PEP 3333) as the UTF-8 text it carries, as werkzeug reads it."""
    return value.encode("latin1").decode(errors="replace")
