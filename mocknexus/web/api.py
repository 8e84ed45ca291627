"""Blueprint: the seven vendor operations of §1, each a short view named after its operationId.

The blueprint is the route table (the url_map, the OpenAPI document); dispatch.py serves its routes, calling
each view with the request's `Call` first, and check_request/journal around it."""

import functools
import time
from urllib.parse import unquote

from flask import Blueprint, g, request

from mocknexus.core.errors import BadRequest, PayloadTooLarge
from mocknexus.core.models import iso
from mocknexus.state.auth import check_api_key
from mocknexus.state.hints import hint
from mocknexus.state.journal import BODY_LIMIT, decode_body, request_headers
from mocknexus.web import inject
from mocknexus.web.http import decide_trace, header_safe, ok, read_json
from mocknexus.web.routing import ESCAPED_EXT, STARTED

MAX_WARNINGS = 20  # X-Mocknexus-Warning headers on one answer
WARNING_LENGTH = 300  # characters of one
VENDOR_ROOT = "/nexus/"  # every path under it is the vendor's: journaled, routed or not
BASE = "/nexus/v3/openmedia/<service>/interactions"
bp = Blueprint("api", __name__, url_prefix="")


@functools.cache  # seven endpoints; on every request
def operation_id(endpoint: str) -> str:
    head, *rest = endpoint.removeprefix("api.").split("_")
    return head + "".join(word.title() for word in rest)


@functools.cache
def _schema(name: str):
    """A request schema of schemas/vendor.py, by name."""
    from mocknexus.schemas import vendor  # lazy: `serve` starts without marshmallow

    return getattr(vendor, name)


def _load(call, name: str, required: bool = False) -> dict:
    """Body → validated dict (by the request schema `name`). Unknown fields: a warning each (lenient) or a 400
    (strict)."""
    schema = _schema(name)
    body = read_json(required=required, call=call)
    known = schema.data_keys
    unknown = [key for key in body if key not in known]
    if unknown:
        if call.world.settings.strict:
            raise BadRequest("Unknown fields in the request body", {k: ["Unknown field."] for k in unknown})
        call.warnings.extend(f"unknown field '{header_safe(k)}' ignored" for k in unknown)
        body = {k: v for k, v in body.items() if k in known}
    loaded = schema.fast_load(body)  # the same result for valid bodies; None: schema.load reports the error
    if loaded is not None:
        return loaded
    from marshmallow import RAISE  # imported with the schema

    return schema.load(body, unknown=RAISE)


def authenticate(call, world) -> None:
    """§1.3, first of all, against the world as it is (Worlds.of): a refused request is journaled only
    in a namespace that exists already."""
    call.world = world
    check_api_key(world, call.environ.get("HTTP_X_API_KEY"), call.args["service"])  # = req.headers.get(...)


def check_request(call) -> None:
    """Before the view, once the key passed (authenticate): the size limit (§1.4), then the fault (call.fault)
    that the rest of dispatch.py's steps apply."""
    world, environ, args, length = call.world, call.environ, call.args, call.length
    if "external_id" in args:
        if ESCAPED_EXT in environ:  # an externalId with a '/' (routing.py)
            args["external_id"] = unquote(args["external_id"])
        if "\ufffd" in args["external_id"] and not _utf8_external_id(environ):
            raise BadRequest("The externalId in the path is not UTF-8 once percent-decoded")
    if world.timetable.heap:  # steps planned (§5.1): what is due is done before this request sees the world
        world.timetable.run_due()
    limit = world.settings.max_body
    if length is not None and length > limit:
        raise PayloadTooLarge(f"The request body is {length} bytes; the limit is {limit}")
    # Faults after auth, as behind a real gateway: a bad key stays a 401 and does not use up a rule's `times`.
    if world.faults.rules or world.config.allow_header_faults:  # the whole cost when no rule is defined
        call.fault = inject.choose(call)


def _utf8_external_id(environ) -> bool:
    """False when the path's ext_ segment, as sent, is not UTF-8 (`ext_%FF`): the decoded path carries a
    U+FFFD for it, which must not stand for the real U+FFFD (`ext_%EF%BF%BD`)."""
    segments = environ.get("PATH_INFO", "").split("/")  # bytes as latin-1 (PEP 3333)
    try:
        for segment in segments:
            if segment.startswith("ext_"):
                segment.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return False
    return True


def journal(call, response):
    """After the view (or the error it raised): fault marks, warnings, and the journal record."""
    fault = call.fault
    if fault is not None:
        response = inject.after_view(call, response)
    warnings = _capped(call.warnings)
    for warning in warnings:
        response.headers.add("X-Mocknexus-Warning", warning)
    status = response.status_code if fault is None else fault.status_sent(response.status_code)
    if call.world is None or not call.world.made:  # refused before its namespace was made: no journal for it
        return response
    said = _hint(call, response) if status == 404 and fault is None else None
    _record(call.world, call.request, call.operation, call.args.get("service"), _kept_body(call), status,
            warnings, fault and fault.rule_id, said)
    return response


def _hint(call, response) -> str | None:
    """§10: the 404's X-Mocknexus-Hint, where the namespace holds something near what was asked for."""
    args = call.args
    said = hint(call.world.store, args["service"], args.get("interaction_id"), args.get("external_id"))
    if said is not None:
        said = header_safe(said)
        response.headers["X-Mocknexus-Hint"] = said
    return said


def _capped(warnings: list[str]) -> list[str]:
    """At most MAX_WARNINGS, each at most WARNING_LENGTH characters, the last saying how many more there were
    (§9): a client (requests, urllib3) refuses an answer with more than 100 headers."""
    if len(warnings) > MAX_WARNINGS:
        more = len(warnings) - MAX_WARNINGS + 1
        warnings = [*warnings[:MAX_WARNINGS - 1], f"{more} more warnings like these"]
    if any(len(warning) > WARNING_LENGTH for warning in warnings):
        warnings = [w if len(w) <= WARNING_LENGTH else w[:WARNING_LENGTH - 3] + "..." for w in warnings]
    return warnings


@bp.after_app_request
def _journal_unrouted(response):
    """A request under the vendor base path that matched no operation (a 404 or 405) is journaled too, with
    operation null: a client calling a wrong URL is just what a test wants to see."""
    req = request._get_current_object()
    if req.blueprint is None and req.path.startswith(VENDOR_ROOT):
        world = g.world
        body = _unread_body(world, req.content_length, req.stream.read)
        _record(world, req, None, None, body, response.status_code, [], None)
    return response


def _record(world, req, operation, service, body, status, warnings, fault_id, said=None) -> None:
    """One journal record (§2.2); `hint` only on a 404 that has one (§10)."""
    environ = req.environ
    started = environ.get(STARTED)
    record = {
        "time": iso(world.clock.now()),
        "method": req.method,
        "path": req.path,
        "operation": operation,
        "service": service,
        "headers": request_headers(environ),
        "body": body,
        "status": status,
        "durationMs": round((time.perf_counter() - started) * 1000, 3) if started is not None else 0.0,
        "warnings": warnings,
        "fault": fault_id,
    }
    if said is not None:
        record["hint"] = said
    world.journal.add(record)


def _kept_body(call):
    """The body as the journal keeps it: what read_json made of it (parsed, or the text it could not parse),
    its head when it is long (§9), or, when the view never read it, the body itself within the size limit."""
    raw = call.read_so_far
    if raw is not None and len(raw) > BODY_LIMIT:
        return decode_body(raw)
    if call.body is not None:
        return call.body
    if raw is not None:
        return decode_body(raw)
    return _unread_body(call.world, call.length, call.environ["wsgi.input"].read)


def _unread_body(world, length: int | None, read):
    """A body the view never read (a 401 answers before reading it) is journaled too, within the size limit;
    of a long one, only what the journal keeps is read."""
    if not length or length > world.settings.max_body:
        return None
    return decode_body(read(min(length, BODY_LIMIT + 1)), length)


def _dump(call, interaction):
    return ok(interaction.to_json(call.world.prefix))


@bp.post(BASE)
def create_interaction(call, service):
    """createInteraction: a new interaction in state queued; 409 while one with its externalId is live."""
    body = _load(call, "create_request")
    world = call.world
    interaction = world.store.create_interaction(
        service, body.get("external_id"), body.get("parent_interaction_id"),
        body.get("received_at"), body.get("user_data"),
    )
    if world.lifecycles or world.webhooks.hooks:  # the whole cost when no service has one and none is registered
        world.created(interaction, decide_trace(call.environ))
    return _dump(call, interaction)


@bp.get(f"{BASE}/<ext:external_id>")
def get_interaction_by_external_id(call, service, external_id):
    """getInteractionByExternalId."""
    return _dump(call, call.world.store.get_interaction(service, external_id=external_id))


@bp.post(f"{BASE}/<ext:external_id>/stop")
def stop_interaction_by_external_id(call, service, external_id):
    """stopInteractionByExternalId."""
    return _stop(call, service, external_id=external_id)


@bp.post(f"{BASE}/<ext:external_id>/update")
def update_interaction_by_external_id(call, service, external_id):
    """updateInteractionByExternalId."""
    return _update(call, service, external_id=external_id)


@bp.get(f"{BASE}/<iid:interaction_id>")
def get_interaction(call, service, interaction_id):
    """getInteraction."""
    return _dump(call, call.world.store.get_interaction(service, interaction_id=interaction_id))


@bp.post(f"{BASE}/<iid:interaction_id>/stop")
def stop_interaction(call, service, interaction_id):
    """stopInteraction: the final interaction; afterwards it is gone (unless retain_stopped)."""
    return _stop(call, service, interaction_id=interaction_id)


@bp.post(f"{BASE}/<iid:interaction_id>/update")
def update_interaction(call, service, interaction_id):
    """updateInteraction: changed, then added, then deleted properties applied to userData."""
    return _update(call, service, interaction_id=interaction_id)


def _stop(call, service, **ref):
    body = _load(call, "stop_request")
    world = call.world
    interaction = world.store.stop_interaction(
        service, **ref, reason_system_name=body.get("reason_system_name"),
        reason_description=body.get("reason_description"),
    )
    if world.webhooks.hooks:
        world.stopped(interaction, decide_trace(call.environ))
    return _dump(call, interaction)


def _update(call, service, **ref):
    body = _load(call, "update_request", required=True)
    return _dump(call, call.world.store.update_interaction(
        service, **ref, changed=body.get("changed"), added=body.get("added"), deleted=body.get("deleted"),
    ))

