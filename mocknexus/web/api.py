"""Blueprint: the seven vendor operations of §1, each a short view named after its operationId.

The blueprint is the route table (the url_map, the OpenAPI document); dispatch.py serves its routes, calling
each view with the request's `Call` first, and check_request/journal around it."""

import functools
import time
from urllib.parse import unquote

from flask import Blueprint, g, request
from marshmallow import RAISE

from mocknexus.core.errors import BadRequest, PayloadTooLarge
from mocknexus.core.models import iso
from mocknexus.schemas.vendor import create_request, stop_request, update_request
from mocknexus.state.auth import check_api_key
from mocknexus.state.journal import decode_body, request_headers
from mocknexus.web import inject
from mocknexus.web.http import header_safe, ok, read_json
from mocknexus.web.routing import ESCAPED_EXT, STARTED

VENDOR_ROOT = "/nexus/"  # every path under it is the vendor's: journaled, routed or not
BASE = "/nexus/v3/openmedia/<service>/interactions"
bp = Blueprint("api", __name__, url_prefix="")


@functools.cache  # seven endpoints; on every request
def operation_id(endpoint: str) -> str:
    head, *rest = endpoint.removeprefix("api.").split("_")
    return head + "".join(word.title() for word in rest)


def _load(call, schema, required: bool = False) -> dict:
    """Body → validated dict. Unknown fields: a warning each (lenient) or a 400 (strict)."""
    body = read_json(required=required, call=call)
    known = schema.data_keys
    unknown = [key for key in body if key not in known]
    if unknown:
        if call.world.settings.strict:
            raise BadRequest("Unknown fields in the request body", {k: ["Unknown field."] for k in unknown})
        call.warnings.extend(f"unknown field '{header_safe(k)}' ignored" for k in unknown)
        body = {k: v for k, v in body.items() if k in known}
    loaded = schema.fast_load(body)  # the same result for valid bodies; None: schema.load reports the error
    return loaded if loaded is not None else schema.load(body, unknown=RAISE)


def check_request(call) -> None:
    """Before the view: auth before the body is read (§1.3), then the size limit (§1.4), then the fault
    (call.fault) that the rest of dispatch.py's steps apply."""
    world, environ, args, length = call.world, call.environ, call.args, call.length
    if ESCAPED_EXT in environ and "external_id" in args:  # an externalId with a '/' (routing.py)
        args["external_id"] = unquote(args["external_id"])
    check_api_key(world, environ.get("HTTP_X_API_KEY"), args["service"])  # = req.headers.get("x-api-key")
    limit = world.settings.max_body
    if length is not None and length > limit:
        raise PayloadTooLarge(f"The request body is {length} bytes; the limit is {limit}")
    # Faults after auth, as behind a real gateway: a bad key stays a 401 and does not use up a rule's `times`.
    if world.faults.rules or world.config.allow_header_faults:  # the whole cost when no rule is defined
        call.fault = inject.choose(call)


def journal(call, response):
    """After the view (or the error it raised): fault marks, warnings, and the journal record."""
    fault = call.fault
    if fault is not None:
        response = inject.after_view(call, response)
    for warning in call.warnings:
        response.headers.add("X-Mocknexus-Warning", warning)
    status = response.status_code if fault is None else fault.status_sent(response.status_code)
    body = call.body if call.body is not None else _unread_body(call.world, call.length, call.raw_body)
    _record(call.world, call.request, call.operation, call.args.get("service"), body, status,
            call.warnings, fault and fault.rule_id)
    return response


@bp.after_app_request
def _journal_unrouted(response):
    """A request under the vendor base path that matched no operation (a 404 or 405) is journaled too, with
    operation null: a client calling a wrong URL is just what a test wants to see."""
    req = request._get_current_object()
    if req.blueprint is None and req.path.startswith(VENDOR_ROOT):
        state = g._get_current_object()
        if "world" in state:
            body = _unread_body(state.world, req.content_length, req.get_data)
            _record(state.world, req, None, None, body, response.status_code, [], None)
    return response


def _record(world, req, operation, service, body, status, warnings, fault_id) -> None:
    """One journal record (§2.2)."""
    environ = req.environ
    started = environ.get(STARTED)
    world.journal.add({
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
    })


def _unread_body(world, length: int | None, read):
    """A body the view never read (a 401 answers before reading it) is journaled too, within the size limit."""
    if not length or length > world.settings.max_body:
        return None
    return decode_body(read())


def _dump(call, interaction):
    return ok(interaction.to_json(call.world.prefix))


@bp.post(BASE)
def create_interaction(call, service):
    """createInteraction: a new interaction in state queued; 409 while one with its externalId is live."""
    body = _load(call, create_request)
    return _dump(call, call.world.store.create_interaction(
        service, body.get("external_id"), body.get("parent_interaction_id"),
        body.get("received_at"), body.get("user_data"),
    ))


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
    body = _load(call, stop_request)
    return _dump(call, call.world.store.stop_interaction(
        service, **ref, reason_system_name=body.get("reason_system_name"),
        reason_description=body.get("reason_description"),
    ))


def _update(call, service, **ref):
    body = _load(call, update_request, required=True)
    return _dump(call, call.world.store.update_interaction(
        service, **ref, changed=body.get("changed"), added=body.get("added"), deleted=body.get("deleted"),
    ))

