"""The OpenAPI 3 document of §2.6, built by apispec from the app's routes and the schemas it validates with."""

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app

from mocknexus import __version__
from mocknexus.schemas.fields import MAX_DEPTH, IsoDateTime, UserData
from mocknexus.schemas.operations import ADMIN, VENDOR, resolve, wait_timeout_schema
from mocknexus.schemas.vendor import (
    CreateInteractionRequest,
    ErrorEnvelope,
    InteractionEnvelope,
    StopInteractionRequest,
    UpdateInteractionRequest,
)
from mocknexus.web.api import operation_id
from mocknexus.web.http import json_response

bp = Blueprint("openapi", __name__)

OPENAPI_VERSION = "3.0.3"
_CACHE = "mocknexus.openapi"
# What each status means; one description per code so that every operation reads the same.
_MEANING = {
    400: "The body is not a JSON object, or a field breaks a rule; `status.details` names each field.",
    401: "The x-api-key header is missing, unknown, disabled or expired.",
    403: "The API key is not allowed for this open media service.",
    404: "No such open media service, or no live interaction with this id or externalId.",
    408: "The timeout passed first.",
    409: "A live interaction already has this externalId, or the interaction is stopped (retain_stopped).",
    413: "The body is over the size limit (setting max_body).",
    500: "A bug in mocknexus (it logs the details), or a fault rule asked for it (§2.4).",
}
_ADMIN_MEANING = {401: "The server runs with --admin-token and the Bearer token is missing or wrong.",
                  404: "No such item.", 400: "The body or query breaks a rule; `status.details` says where."}
_PATH_PARAMS = {  # the vendor's names and the fixtures' values, so that `make run` users can try the examples
    "service": ("openMediaService", "crm-tasks"),
    "external_id": ("externalId", "ticket-42"),
    "interaction_id": ("interactionId", "0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10"),
}
_RULE_VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_TRACE = {"in": "header", "name": "X-B3-TraceId", "required": False, "schema": {"type": "string"},
          "description": "Echoed back; generated when absent."}


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI document of the vendor and admin APIs (§2.6); built once per app."""
    return json_response(document(current_app))


def document(app) -> dict:
    """The document for `app`, built on first use and then kept with the app (its routes never change)."""
    cached = app.extensions.get(_CACHE)
    if cached is None:  # two first requests at once may both build it: the same document, one is kept
        cached = app.extensions.setdefault(_CACHE, build(app))
    return cached


def build(app) -> dict:
    """Components from the schemas, then one path per vendor/admin route of the url_map, as a plain dict."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title="mocknexus", version=__version__, openapi_version=OPENAPI_VERSION,
                   plugins=[plugin], info={"description": _DESCRIPTION})
    plugin.converter.add_attribute_function(_our_fields)
    spec.components.security_scheme("apiKey", {"type": "apiKey", "in": "header", "name": "x-api-key"})
    spec.components.security_scheme("adminToken", {"type": "http", "scheme": "bearer"})
    for schema in (InteractionEnvelope, ErrorEnvelope, CreateInteractionRequest, StopInteractionRequest,
                   UpdateInteractionRequest):
        spec.components.schema(schema.__name__, schema=schema)
    _lenient_requests(spec)
    for path, operations, parameters in _paths(app):
        spec.path(path=path, operations=operations, parameters=parameters)
    _shorthands(spec)
    return spec.to_dict()


def _paths(app):
    """(OpenAPI path, {method: operation}, path parameters) for every vendor and admin route, in map order."""
    grouped: dict = {}
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.partition(".")[0]
        if blueprint not in ("api", "admin"):
            continue
        path, parameters = _openapi_path(rule.rule)
        entry = grouped.setdefault(path, ({}, parameters))
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            build_op = _vendor_operation if blueprint == "api" else _admin_operation
            entry[0][method.lower()] = build_op(rule.endpoint, view, method, path, bool(parameters))
    return [(path, operations, parameters) for path, (operations, parameters) in grouped.items()]


def _openapi_path(rule: str):
    """Werkzeug `<ext:external_id>` → `ext_{externalId}`, other variables → `{camelName}`."""
    parameters = []

    def replace(match):
        converter, variable = match.groups()
        name, example = _PATH_PARAMS.get(variable, (_camel(variable), None))
        schema = {"type": "string", "minLength": 1}
        parameters.append({"in": "path", "name": name, "required": True, "schema": schema,
                           **({"example": example} if example else {})})
        return ("ext_" if converter == "ext" else "") + "{" + name + "}"

    return _RULE_VARIABLE.sub(replace, rule), parameters


def _vendor_operation(endpoint, view, method, path, has_params) -> dict:
    op_id = operation_id(endpoint)
    summary, schema, required, statuses = VENDOR[op_id]
    description = _doc(view)[0].removeprefix(op_id).lstrip(":. ")
    description = description[:1].upper() + description[1:]
    operation = {
        "operationId": op_id, "summary": summary, "tags": ["vendor"], "security": [{"apiKey": []}],
        "parameters": [_TRACE],
        "responses": {"200": _json("The interaction.", "InteractionEnvelope", _response_headers())},
    }
    if description:
        operation["description"] = description
    if schema is not None:
        operation["requestBody"] = {"required": required, "content": {"application/json": {"schema": schema}}}
    for status in sorted(statuses):
        operation["responses"][str(status)] = _json(_MEANING[status], "ErrorEnvelope")
    return operation


def _admin_operation(endpoint, view, method, path, has_params) -> dict:
    summary, description = _doc(view)
    known = _admin_entry(method, path)
    operation = {"operationId": _camel(endpoint.partition(".")[2]), "summary": summary, "tags": ["admin"],
                 "security": [{}, {"adminToken": []}], "parameters": [],
                 "responses": {"200": _admin_json("OK", _schema(known.get("ok")))}}
    if description:
        operation["description"] = description
    errors = {401: None, 500: None, **dict.fromkeys((404,) if has_params else ()), **known.get("errors", {})}
    query = resolve(known.get("query"))
    if query is not None:
        operation["parameters"].append({"in": "query", "schema": query})
        errors[400] = None
    body = known.get("body", {"type": "object"}) if method in ("POST", "PUT", "PATCH") else None
    if body is not None:
        operation["requestBody"] = {"required": False, "content": {"application/json": {"schema": _schema(body)}}}
        errors[400] = None
    for status in sorted(errors):
        schema = wait_timeout_schema() if errors[status] == "wait-timeout" else ErrorEnvelope
        operation["responses"][str(status)] = _admin_json(_ADMIN_MEANING.get(status) or _MEANING[status], schema)
    return operation


def _admin_entry(method, path) -> dict:
    shape = re.sub(r"\{\w+\}", "{}", path)
    for (known_method, known_path), entry in ADMIN.items():
        if known_method == method and re.sub(r"\{\w+\}", "{}", known_path) == shape:
            return entry
    return {}


def _schema(target):
    """A schema (class or "module:Name"), a ("key", schema) pair for {"key": [items]}, or any JSON object."""
    if isinstance(target, tuple):
        key, item = target
        return {"type": "object", "required": [key],
                "properties": {key: {"type": "array", "items": _schema(item)}}}
    return resolve(target) or {"type": "object"}


def _admin_json(description, schema) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _json(description, component, headers=None) -> dict:
    out = {"description": description,
           "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}}
    if headers:
        out["headers"] = headers
    return out


def _response_headers() -> dict:
    return {
        "X-B3-TraceId": {"schema": {"type": "string"}, "description": "The request's trace id, or a new one."},
        "X-Mocknexus-Warning": {"schema": {"type": "string"},
                                "description": "One per unknown body field that was ignored (§1.6)."},
    }


def _doc(view) -> tuple[str, str]:
    """A view's docstring: its first line is the summary, the rest the description."""
    first, _, rest = (view.__doc__ or "").strip().partition("\n")
    return first.strip(), " ".join(line.strip() for line in rest.splitlines()).strip()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


def _our_fields(self, field, **kwargs) -> dict:
    """apispec attribute function for our own fields: ISO-8601 times, and userData values (§1.4)."""
    if isinstance(field, IsoDateTime):  # no "format: date-time": the server takes any ISO-8601, "2026-05-01" too
        return {"type": "string", "example": "2026-05-01T10:00:00.000Z",
                "description": "ISO-8601; without an offset it is UTC."}
    if not isinstance(field, UserData):
        return {}
    return {"additionalProperties": {"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "object"}]},
            "description": f"Values: strings, 64-bit integers or objects nested at most {MAX_DEPTH} deep; "
                           "no reserved Genesys keys (§1.7)."}


def _lenient_requests(spec) -> None:
    """Request bodies: unknown fields are ignored by default (§1.6), and an update needs one of its three parts."""
    schemas = spec.components.schemas
    for name in ("CreateInteractionRequest", "StopInteractionRequest", "UpdateInteractionRequest"):
        schemas[name].pop("additionalProperties", None)
    schemas["UpdateInteractionRequest"]["anyOf"] = [
        {"required": [part]} for part in ("changedProperties", "addedProperties", "deletedProperties")
    ]


def _shorthands(spec) -> None:
    """Fixture services and API keys may be a bare string standing for {"name": ...} / {"key": ...} (§3)."""
    schemas = spec.components.schemas
    for name, key in (("ServiceFixture", "name"), ("ApiKeyFixture", "key")):
        if name in schemas:
            full = dict(schemas[name])
            schemas[name].clear()
            schemas[name]["oneOf"] = [full["properties"][key], full]


_DESCRIPTION = (
    "A fake of the Genesys Multicloud CX Nexus v3 Open Media interactions API (vendor operations under "
    "/nexus/v3) and its test-control API (/__admin). Every path may be prefixed with /__ns/{name} to run "
    "in a namespace of its own (§2.5). Every response, errors included, is application/json."
)
