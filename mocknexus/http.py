"""Request and response helpers shared by the blueprints: JSON bodies in, JSON envelopes out."""

import json
import re

from flask import current_app, g, request
from marshmallow import ValidationError

from mocknexus.errors import BadRequest
from mocknexus.schemas.fields import json_kind
from mocknexus.schemas.fixtures import problems

_JSON = "application/json"
PARSED = "mocknexus.parsed_body"  # environ key: (raw bytes, json.loads(raw bytes)), left by inject.py
# A \uD800-\uDFFF escape: paired it is one character, alone it decodes to a str that cannot be encoded back.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


# json.dumps(x, ensure_ascii=False) builds a new encoder on every call; this one is built once (same output).
_encode = json.JSONEncoder(ensure_ascii=False).encode
# The success envelope around `data`, as json.dumps writes {"status": {...}, "data": data} (default separators).
_OK_HEAD, _OK_TAIL = '{"status": {"code": 0, "message": "OK"}, "data": ', "}"


def json_response(payload, status: int = 200, headers=None):
    """Encode once, with no key sorting or pretty-printing: this is on every request's path."""
    return _respond(_encode(payload), status, headers)


def ok(payload):
    """The §1.1 success envelope; only `data` goes through the encoder."""
    return _respond(_OK_HEAD + _encode(payload) + _OK_TAIL, 200, None)


def _respond(text: str, status: int, headers):
    # content_type, not mimetype: werkzeug would work out (again, per response) that JSON takes no charset.
    return current_app.response_class(text, status, headers, content_type=_JSON)


def read_json(required: bool = False, what: str = "a JSON object"):
    """The request body as a JSON object ({} when absent and not required); 400 for anything else."""
    state, req = g._get_current_object(), request._get_current_object()  # one context lookup each
    raw = req.get_data(cache=True)
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
    body = _parse(text, raw, req.environ.get(PARSED))
    if _SURROGATE_ESCAPE.search(text):
        _refuse_lone_surrogates(body)
    state.body = body
    if not isinstance(body, dict):
        raise BadRequest(f"The request body must be {what}, not {json_kind(body)}")
    return body


def _parse(text: str, raw: bytes, parsed: tuple | None):
    """json.loads(text), or what a fault rule's externalId check already parsed of these very bytes
    (inject.py, json.loads(raw)): the same value unless a BOM or a NUL in the first two bytes makes
    json.loads(bytes) read another encoding."""
    if parsed is not None and parsed[0] is raw and not text.startswith("\ufeff") and b"\x00" not in raw[:2]:
        return parsed[1]
    try:
        return json.loads(text)
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


def details(error: ValidationError) -> dict:
    """marshmallow's nested messages as the envelope's {field: [problems]} (nested fields as paths)."""
    out: dict = {}
    for path, what in problems(error):
        out.setdefault(path.removeprefix("$.").removeprefix("$") or "body", []).append(what)
    return out


def header_safe(text: str) -> str:
    """Anything a client sent, fit for a response header: control and non-ASCII characters escaped."""
    if text.isascii() and text.isprintable() and "\\" not in text:  # the usual case: nothing to escape
        return text
    return text.encode("unicode_escape").decode("ascii")
