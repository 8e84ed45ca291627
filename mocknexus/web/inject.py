"""Fault injection on a vendor request (§2.4): which fault it gets, and the answer it then gives."""

from http import HTTPStatus

from flask import Response

from mocknexus.core.errors import ApiError, InternalError, envelope
from mocknexus.state.faults import WIRE, WIRE_KINDS, Fault
from mocknexus.web.hold import SLEEP  # noqa: F401  (the sleep seam of plain delays, here since faults have them)
from mocknexus.web.http import json_response, read_json

HEADER = "X-Mocknexus-Fault"
_HEADER_KEY = "HTTP_" + HEADER.upper().replace("-", "_")  # its WSGI environ key, as werkzeug looks it up
HEADER_RULE = "header"  # the rule id a header fault carries in the response header and the journal
# Starts like the success envelope, then breaks: not JSON, not even UTF-8.
GARBAGE = b'{"status": {"code": 0, "message": "OK"}, "data": {"id": \xff\xfe<<mocknexus garbage>>'


def choose(call) -> Fault | None:
    """The fault for this vendor request (a dispatch.Call): its X-Mocknexus-Fault header's (when allowed), else
    the first rule that fires. A network kind with no socket under it (Flask test client) becomes a 500 that
    says so."""
    world, req, environ = call.world, call.request, call.environ
    header = environ.get(_HEADER_KEY) if world.config.allow_header_faults else None  # = req.headers.get(HEADER)
    if header is not None:
        from mocknexus.schemas.faults import header_action  # lazy: `serve` starts without marshmallow

        action = header_action(header)
        fault = Fault(HEADER_RULE, action, (action.delay_ms or 0) / 1000)
    else:
        fault = world.faults.match(_Facts(call, operation=call.operation, method=req.method, path=req.path,
                                          service=call.args.get("service")))
    if fault is not None and fault.action.kind in WIRE_KINDS and WIRE not in environ:
        error = InternalError(f"Fault rule {fault.rule_id} asks for '{fault.action.kind}', which needs a real "
                              "connection: the Flask test client has none. Run the server (MockNexus, "
                              "mocknexus serve) to test it.")
        fault = fault.instead(status=error.status, body=error.to_envelope(), kind=None, apply=False)
    return fault


def delay(call, applied: bool) -> float:
    """Seconds to hold the answer: before the operation (`applied` False), or after it for a rule that
    applies it first (`applied` True). dispatch.py holds it (web/hold.py), no thread sleeps."""
    fault = call.fault
    return fault.delay if fault is not None and bool(fault.action.apply) == applied else 0.0


def instead(call):
    """The fault's answer in place of the operation, or None to run it."""
    fault = call.fault
    action = fault.action
    return _answer(fault, None) if action.answers and not action.apply else None


def after_view(call, response):
    """After the operation (or the fault's own answer): an applied fault now answers; every faulted
    response is marked, and a network kind is handed to the connection (wire.py)."""
    fault = call.fault
    action = fault.action
    if action.apply and action.answers:
        response = _answer(fault, response)
    response.headers.update(action.headers)
    response.headers[HEADER] = fault.rule_id
    if action.kind in WIRE_KINDS:
        call.environ[WIRE].fault = action.kind
    return response


def _answer(fault: Fault, real):
    """The response a fault answers with; `real` is the operation's own, when the rule applied it."""
    action = fault.action
    if action.kind == "garbage":
        return Response(GARBAGE, action.status or 200, mimetype="application/json")
    if action.status is None:  # reset or truncate: of the real answer, or of a plain 200 when not applied
        return real if real is not None else json_response({"status": {"code": 0, "message": "OK"}})
    body = action.body if action.body is not None else _default_body(action.status)
    if isinstance(body, str):
        return Response(body, action.status, mimetype="text/plain")
    return json_response(body, action.status)


def _default_body(status: int) -> dict:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = f"HTTP {status}"
    return envelope(status, phrase) if status >= 400 else {"status": {"code": 0, "message": phrase}}


class _Facts(dict):
    """What rules match on; `externalId` is looked up only when a rule asks (it may mean reading the body)."""

    def __init__(self, call, **facts):
        super().__init__(**facts)
        self.call = call

    def __missing__(self, key):
        if key != "externalId":
            raise KeyError(key)
        self[key] = value = _external_id(self.call)
        return value


def _external_id(call) -> str | None:
    args = call.args
    if "external_id" in args:
        return args["external_id"]
    if "interaction_id" in args:
        try:
            return call.world.store.get_interaction(args["service"], interaction_id=args["interaction_id"]).external_id
        except ApiError:
            return None
    try:  # createInteraction: the body's, if it has one (the view reports what is wrong with it, if anything)
        return read_json(call=call).get("externalId")
    except ApiError:
        return None
