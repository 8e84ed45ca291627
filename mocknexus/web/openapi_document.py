"""The OpenAPI 3 document of §2.6, built by apispec from the app's routes and the schemas it validates with.
Imported on the first request for it (openapi.py)."""

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from mocknexus import __version__
from mocknexus.schemas.operations import ADMIN, VENDOR, resolve, wait_timeout_schema
from mocknexus.schemas.vendor import (
    CreateInteractionRequest,
    ErrorEnvelope,
    InteractionEnvelope,
    StopInteractionRequest,
    UpdateInteractionRequest,
)
from mocknexus.web.api import operation_id
from mocknexus.web.openapi_components import finish, our_fields
from mocknexus.web.openapi_links import (
    FAULT_PARAM,
    FAULTED,
    HINT_HEADER,
    TRACE_HEADER,
    TRACE_PARAM,
    VENDOR_HEADERS,
    links,
)

OPENAPI_VERSION = "3.0.3"
# What each status means; one description per code so that every operation reads the same.
_MEANING = {
    400: "The body is not a JSON object, or a field breaks a rule; `status.details` names each field.",
    401: "The x-api-key header is missing, unknown, disabled or expired.",
    403: "The API key is not allowed for this open media service.",
    404: "No such open media service, or no live interaction with this id or externalId.",
    408: "The timeout passed first.",
    409: "A live interaction already has this externalId, or the interaction is stopped (retain_stopped).",
    413: "The body is over the size limit (setting max_body).",
    500: "A bug in mocknexus (it logs the details), or a fault rule asked for it.",
}
_ADMIN_MEANING = {401: "The server runs with --admin-token and the Bearer token is missing or wrong.",
                  404: "No such item.", 400: "The body or query breaks a rule; `status.details` says where."}
_PATH_PARAMS = {  # the vendor's names and the fixtures' values, so that `make run` users can try the examples
    "service": ("openMediaService", "crm-tasks"),
    "external_id": ("externalId", "ticket-42"),
    "interaction_id": ("interactionId", "0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10"),
}
_LICENSE = {"name": "MIT", "url": "https://opensource.org/license/mit"}  # setup.cfg's
_RULE_VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def build(app) -> dict:
    """Components from the schemas, then one path per vendor/admin route of the url_map, as a plain dict."""
    plugin = MarshmallowPlugin()
    spec = APISpec(title="mocknexus", version=__version__, openapi_version=OPENAPI_VERSION, plugins=[plugin],
                   info={"description": _DESCRIPTION, "license": _LICENSE},
                   servers=[{"url": "/", "description": "The server that serves this document."}])
    plugin.converter.add_attribute_function(our_fields)
    spec.components.security_scheme("apiKey", {"type": "apiKey", "in": "header", "name": "x-api-key"})
    for schema in (InteractionEnvelope, ErrorEnvelope, CreateInteractionRequest, StopInteractionRequest,
                   UpdateInteractionRequest):
        spec.components.schema(schema.__name__, schema=schema)
    config = app.extensions["mocknexus.config"]
    admin_security = []  # a server without --admin-token: the admin API is open
    if config.admin_token:
        spec.components.security_scheme("adminToken", {"type": "http", "scheme": "bearer"})
        admin_security = [{"adminToken": []}]
    for path, operations, parameters in _paths(app, admin_security, config.allow_header_faults):
        spec.path(path=path, operations=operations, parameters=parameters)
    finish(spec.components.schemas)
    return _without_contract_references(spec.to_dict())


def _paths(app, admin_security, header_faults):
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
            if blueprint == "api":
                operation = _vendor_operation(rule.endpoint, view, header_faults)
            else:
                operation = _admin_operation(rule.endpoint, view, method, path, bool(parameters), admin_security)
            entry[0][method.lower()] = operation
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


def _vendor_operation(endpoint, view, header_faults) -> dict:
    op_id = operation_id(endpoint)
    summary, schema, required, statuses = VENDOR[op_id]
    description = _doc(view)[0].removeprefix(op_id).lstrip(":. ")
    description = description[:1].upper() + description[1:]
    ok = _json("The interaction.", "InteractionEnvelope", VENDOR_HEADERS)
    ok["links"] = links(op_id)
    operation = {
        "operationId": op_id, "summary": summary, "tags": ["vendor"], "security": [{"apiKey": []}],
        "parameters": [TRACE_PARAM, *([FAULT_PARAM] if header_faults else [])], "responses": {"200": ok},
    }
    if description:
        operation["description"] = description
    if schema is not None:
        operation["requestBody"] = {"required": required, "content": {"application/json": {"schema": schema}}}
    for status in sorted(statuses):
        headers = {**VENDOR_HEADERS, **(HINT_HEADER if status == 404 else {})}
        operation["responses"][str(status)] = _json(_MEANING[status], "ErrorEnvelope", headers)
    operation["responses"]["default"] = _json(FAULTED, "ErrorEnvelope", VENDOR_HEADERS)
    return operation


def _admin_operation(endpoint, view, method, path, has_params, security) -> dict:
    summary, description = _doc(view)
    known = _admin_entry(method, path)
    produces = known.get("produces", "application/json")
    operation = {"operationId": _camel(endpoint.partition(".")[2]), "summary": summary, "tags": ["admin"],
                 "security": security, "parameters": [TRACE_PARAM],
                 "responses": {"200": _admin_json("OK", _schema(known.get("ok")), produces)}}
    if description:
        operation["description"] = description
    errors = {401: None, 500: None, **dict.fromkeys((404,) if has_params else ()), **known.get("errors", {})}
    query = resolve(known.get("query"))
    if query is not None:
        operation["parameters"].append({"in": "query", "schema": query})
        errors[400] = None
    body = known.get("body", {"type": "object"}) if method in ("POST", "PUT", "PATCH") else None
    if body is not None:
        operation["requestBody"] = {"required": not known.get("optional", False),
                                    "content": {"application/json": {"schema": _schema(body)}}}
        errors[400] = None
    for status in sorted(errors):
        kind, _, key = str(errors[status]).partition(":")
        schema = wait_timeout_schema(key or "requests") if kind == "wait-timeout" else ErrorEnvelope
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


def _admin_json(description, schema, produces="application/json") -> dict:
    if produces != "application/json":
        schema = {"type": "string"}
    return {"description": description, "headers": TRACE_HEADER, "content": {produces: {"schema": schema}}}


def _json(description, component, headers) -> dict:
    return {"description": description, "headers": headers,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}}


def _doc(view) -> tuple[str, str]:
    """A view's docstring: its first line is the summary, the rest the description."""
    first, _, rest = (view.__doc__ or "").strip().partition("\n")
    return first.strip(), " ".join(line.strip() for line in rest.splitlines()).strip()


_CONTRACT_REFERENCE = re.compile(r" ?\(§[^)]*\)|,? ?§[\d.]+(?:[-–][\d.]+)?")


def _without_contract_references(node):
    """The document without the contract's section numbers (`(§3)`), which docstrings and schema metadata cite:
    a reader of the document has no contract to look them up in."""
    if isinstance(node, dict):
        return {key: _without_contract_references(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_without_contract_references(value) for value in node]
    return _CONTRACT_REFERENCE.sub("", node) if isinstance(node, str) and "§" in node else node


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.title() for word in rest)


_DESCRIPTION = (
    "A fake of the Genesys Multicloud CX Nexus v3 Open Media interactions API (vendor operations under "
    "/nexus/v3) and its test-control API (/__admin). Every path may be prefixed with /__ns/{name} to run "
    "in a namespace of its own (§2.5). Every response, errors included, is application/json. A server started "
    "with --admin-token publishes a document whose admin operations need `Authorization: Bearer <token>`."
)
