"""§2.6: GET /openapi.json and `mocknexus openapi` — a valid OpenAPI 3 document, generated from the schemas."""

import io
import json
import re
from datetime import UTC, datetime

import pytest
from marshmallow import ValidationError
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from mocknexus.cli import main, print_openapi
from mocknexus.core.config import ServerConfig
from mocknexus.core.models import Interaction, Service
from mocknexus.schemas.vendor import create_request, stop_request, update_request
from mocknexus.web.app import create_app
from mocknexus.web.openapi import document

V = "/nexus/v3/openmedia/{openMediaService}/interactions"
# Contract §1: operationId → (method, path, request body schema (None: no body), body required, statuses).
ERRORS = {401, 403, 404, 413, 500}
CONTRACT = {
    "createInteraction": ("post", V, create_request, False, {200, 400, 409} | ERRORS),
    "getInteractionByExternalId": ("get", V + "/ext_{externalId}", None, False, {200} | ERRORS),
    "stopInteractionByExternalId": ("post", V + "/ext_{externalId}/stop", stop_request, False,
                                    {200, 400, 409} | ERRORS),
    "updateInteractionByExternalId": ("post", V + "/ext_{externalId}/update", update_request, True,
                                      {200, 400, 409} | ERRORS),
    "getInteraction": ("get", V + "/{interactionId}", None, False, {200} | ERRORS),
    "stopInteraction": ("post", V + "/{interactionId}/stop", stop_request, False, {200, 400, 409} | ERRORS),
    "updateInteraction": ("post", V + "/{interactionId}/update", update_request, True, {200, 400, 409} | ERRORS),
}


@pytest.fixture(scope="module")
def doc():
    return document(create_app())


def operations(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation, item.get("parameters", []) + operation.get("parameters", [])


def resolve(doc, ref_or_schema):
    ref = ref_or_schema.get("$ref")
    return doc["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else ref_or_schema


def test_document_passes_openapi_spec_validator(doc):
    validate(doc)
    assert doc["openapi"].startswith("3.")


def test_every_vendor_operation_has_its_operation_id_method_and_path(doc):
    found = {op["operationId"]: (method, path) for path, method, op, _ in operations(doc) if path.startswith("/nexus")}
    assert found == {op_id: (method, path) for op_id, (method, path, *_) in CONTRACT.items()}


def test_every_templated_path_segment_is_a_required_path_parameter(doc):
    for path, method, _, parameters in operations(doc):
        in_path = {p["name"] for p in parameters if p["in"] == "path"}
        assert in_path == set(re.findall(r"\{(\w+)\}", path)), (method, path)
        assert all(p["required"] for p in parameters if p["in"] == "path")


def test_vendor_operations_need_the_x_api_key_security_scheme(doc):
    schemes = doc["components"]["securitySchemes"]
    assert schemes["apiKey"] == {"type": "apiKey", "in": "header", "name": "x-api-key"}
    for path, _, operation, _ in operations(doc):
        if path.startswith("/nexus"):
            assert operation["security"] == [{"apiKey": []}], operation["operationId"]


@pytest.mark.parametrize("operation_id", CONTRACT)
def test_vendor_request_body_is_the_schema_the_server_validates_with(doc, operation_id):
    method, path, schema, required, _ = CONTRACT[operation_id]
    operation = doc["paths"][path][method]
    if schema is None:
        assert "requestBody" not in operation
        return
    assert operation["requestBody"]["required"] is required
    body = resolve(doc, operation["requestBody"]["content"]["application/json"]["schema"])
    assert set(body["properties"]) == schema.data_keys
    assert "additionalProperties" not in body  # unknown fields are ignored with a warning by default (§1.6)


@pytest.mark.parametrize("operation_id", CONTRACT)
def test_vendor_responses_are_every_contract_status_with_its_envelope(doc, operation_id):
    method, path, _, _, statuses = CONTRACT[operation_id]
    responses = doc["paths"][path][method]["responses"]
    assert set(responses) == {str(code) for code in statuses} | {"default"}  # default: any status a fault gives
    for code, response in responses.items():
        schema = response["content"]["application/json"]["schema"]
        expected = "InteractionEnvelope" if code == "200" else "ErrorEnvelope"
        assert schema == {"$ref": f"#/components/schemas/{expected}"}


def test_error_envelope_requires_the_status_code_and_message(doc):
    status = resolve(doc, resolve(doc, {"$ref": "#/components/schemas/ErrorEnvelope"})["properties"]["status"])
    assert set(status["required"]) == {"code", "message"}
    assert status["properties"]["details"]["additionalProperties"]["items"] == {"type": "string"}


def test_every_admin_route_appears_with_an_operation_id(doc):
    app = create_app()
    documented = {(path, method) for path, method, _, _ in operations(doc)}
    admin_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]
    assert admin_rules
    for rule in admin_rules:
        path = re.sub(r"<ext:(\w+)>", r"ext_<\1>", rule.rule)  # an ext_{externalId} segment, as the vendor's
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "{" + m.group(1) + "}", path)
        path = re.sub(r"\{(\w+)\}", lambda m: "{" + re.sub(r"_(\w)", lambda c: c.group(1).upper(), m.group(1)) + "}",
                      path)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented
    ids = [op["operationId"] for _, _, op, _ in operations(doc)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("token", [None, "secret"])
def test_admin_operations_are_open_or_behind_the_admin_token_as_the_server_runs(token):
    doc = document(create_app(ServerConfig(admin_token=token)))
    schemes = doc["components"]["securitySchemes"]
    # Without a token the admin API is open: `security: []`, so generated clients need no credentials for it.
    assert schemes.get("adminToken") == ({"type": "http", "scheme": "bearer"} if token else None)
    for path, _, operation, _ in operations(doc):
        if path.startswith("/__admin"):
            assert operation["security"] == ([{"adminToken": []}] if token else [])
            assert operation["summary"]
            assert {"200", "401", "500"} <= set(operation["responses"])


def _interaction(**changes):
    moment = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
    return Interaction(id="i-1", service=Service("crm-tasks"), external_id=None, parent_id=None,
                       received_at=moment, submitted_at=moment, user_data={"A": {"B": 1}}, **changes)


@pytest.mark.parametrize("interaction", [
    _interaction(),
    _interaction(state="stopped", stopped_at=datetime(2026, 5, 2, tzinfo=UTC),
                 stop_reason={"systemName": "agent", "description": None}),
    # what the server writes for a stopped interaction given no reason (a fixture, say)
    _interaction(state="stopped", stopped_at=datetime(2026, 5, 2, tzinfo=UTC),
                 stop_reason={"systemName": None, "description": None}),
], ids=["queued", "stopped", "stopped-without-reason"])
def test_interaction_to_json_is_what_interaction_out_describes(doc, interaction):
    schema = doc["components"]["schemas"]["InteractionOut"]
    written = interaction.to_json("/__ns/x")
    assert set(schema["required"]) <= set(written) <= set(schema["properties"])
    resolver_doc = {"components": doc["components"], **schema}
    OAS30Validator(resolver_doc).validate(written)


def test_get_openapi_json_serves_the_document_and_is_not_journaled(app, client):
    journal = app.extensions["mocknexus"].default.journal
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json == json.loads(json.dumps(document(app)))
    assert len(journal) == 0


def test_openapi_json_is_served_in_a_namespace_too(client):
    assert client.get("/__ns/team-a/openapi.json").json == client.get("/openapi.json").json


def test_document_is_built_once_per_app(app):
    assert document(app) is document(app)


def test_cli_openapi_prints_the_same_document(client):
    out = io.StringIO()
    assert print_openapi(out) == 0
    assert json.loads(out.getvalue()) == client.get("/openapi.json").json


def test_cli_openapi_subcommand_exits_zero(capsys):
    assert main(["openapi"]) == 0
    assert json.loads(capsys.readouterr().out)["info"]["title"] == "mocknexus"


def test_openapi_json_is_never_faulted(client):
    assert client.post("/__admin/faults", json={"action": {"status": 503}}).status_code == 200
    assert client.get("/nexus/v3/openmedia/crm-tasks/interactions/ext_ticket-42", headers={"x-api-key": "k"}) \
        .status_code == 503  # the rule matches every vendor request
    assert client.get("/openapi.json").status_code == 200


def test_openapi_json_needs_no_admin_token():
    app = create_app(ServerConfig(admin_token="secret"))
    assert app.test_client().get("/__admin/settings").status_code == 401
    assert app.test_client().get("/openapi.json").status_code == 200


def test_every_admin_route_has_an_admin_entry_with_its_schemas():
    """The document is as exact for routes added later: each (method, path) of the url_map has its ADMIN entry,
    with the schema it answers and, for a method with a body, the schema it reads (or None: it reads none)."""
    from mocknexus.schemas.operations import ADMIN, resolve
    from mocknexus.web.openapi_document import _admin_entry, _openapi_path

    for rule in create_app().url_map.iter_rules():
        if rule.endpoint.startswith("admin."):
            path = _openapi_path(rule.rule)[0]
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                entry = _admin_entry(method, path)
                assert entry, f"{method} {path}: no entry in schemas/operations.py ADMIN"
                if entry.get("produces", "application/json") == "application/json":  # a page (the UI) is text
                    assert resolve(entry.get("ok")) is not None or isinstance(entry.get("ok"), tuple), (method, path)
                if method in ("POST", "PUT", "PATCH"):
                    assert "body" in entry and (entry["body"] is None or resolve(entry["body"])), (method, path)
    assert all(method in ("GET", "POST", "PUT", "PATCH", "DELETE") for method, _ in ADMIN)


def schema_at(doc, component, *keys):
    node = doc["components"]["schemas"][component]
    for key in keys:
        node = node[key]
    return node


def test_user_data_is_a_recursive_ref_with_int64_bounds_and_no_reserved_key(doc):
    for component, field in (("CreateInteractionRequest", "userData"),
                             ("UpdateInteractionRequest", "changedProperties"),
                             ("UpdateInteractionRequest", "addedProperties"), ("InteractionOut", "userData"),
                             ("InteractionFixture", "userData")):
        assert schema_at(doc, component, "properties", field)["$ref"] == "#/components/schemas/UserData"
    validator = OAS30Validator({"components": doc["components"], "$ref": "#/components/schemas/UserData"})
    assert validator.is_valid({"a": "x", "b": -(2**63), "c": {"State": {"d": 2**63 - 1}}})
    for bad in ({"f": 1.5}, {"b": True}, {"n": None}, {"l": [1]}, {"big": 2**63}, {"x": {"y": {"z": 0.5}}},
                {"State": "x"}):
        assert not validator.is_valid(bad), bad
    deleted = schema_at(doc, "UpdateInteractionRequest", "properties", "deletedProperties")
    assert not OAS30Validator({"components": doc["components"], **deleted}).is_valid(["State"])


def test_update_body_needs_one_of_its_parts_as_the_server_does(doc):
    validator = OAS30Validator({"components": doc["components"],
                                "$ref": "#/components/schemas/UpdateInteractionRequest"})
    for body in ({}, {"data": {}}, {"changedProperties": {}}, {"deletedProperties": []}):
        assert validator.is_valid(body) == _loads(update_request, body), body
    assert "anyOf" not in schema_at(doc, "UpdateInteractionRequest")  # openapi-python-client makes that Any


def _loads(schema, body) -> bool:
    try:
        schema.load(body)
        return True
    except ValidationError:
        return False


def test_times_are_date_times_and_the_server_takes_exactly_those(doc):
    for component, field in (("CreateInteractionRequest", "receivedAt"), ("ClockPut", "now"),
                             ("ClockOut", "now"), ("InteractionOut", "receivedAt"), ("InteractionOut", "stoppedAt"),
                             ("RequestRecordOut", "time")):
        assert schema_at(doc, component, "properties", field)["format"] == "date-time", (component, field)
    for text in ("2026-05-01", "2026-05-01T10:00:00", "2026-05-01T10:00Z"):  # ISO-8601, not RFC 3339
        assert not _loads(create_request, {"receivedAt": text})
    assert _loads(create_request, {"receivedAt": "2026-05-01T10:00:00.5+02:00"})


def test_required_admin_bodies_and_clock_put_min_properties(doc):
    for path, method in (("/__admin/settings", "patch"), ("/__admin/clock/advance", "post"), ("/__admin/clock", "put"),
                         ("/__admin/faults", "post"), ("/__admin/state", "put"), ("/__admin/interactions", "post")):
        assert doc["paths"][path][method]["requestBody"]["required"] is True, (method, path)
    assert doc["paths"]["/__admin/requests/wait"]["post"]["requestBody"]["required"] is False
    assert schema_at(doc, "ClockPut")["minProperties"] == 1


def test_nullable_shapes_generators_and_validators_read_alike(doc):
    for component, reason in (("InteractionOut", "StopReasonOut"), ("InteractionFixture", "StopReasonFixture")):
        assert schema_at(doc, component, "properties", "stopReason") == {
            "type": "object", "nullable": True, "allOf": [{"$ref": f"#/components/schemas/{reason}"}]}
    assert schema_at(doc, "Action", "properties", "kind")["enum"] == ["reset", "truncate", "garbage", None]
    assert '{"anyOf": [{"type": "object", "nullable": true}' not in json.dumps(doc)  # apispec's, gone everywhere

    def walk(node):
        if isinstance(node, dict):
            assert not node.get("nullable") or "type" in node, node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(doc)


def test_vendor_answers_declare_their_headers_and_links(doc):
    for path, method, operation, _ in operations(doc):
        if not path.startswith("/nexus"):
            assert "X-B3-TraceId" in operation["responses"]["200"]["headers"], (method, path)
            continue
        for code, response in operation["responses"].items():
            assert {"X-B3-TraceId", "X-Mocknexus-Warning", "X-Mocknexus-Fault"} <= set(response["headers"])
            assert ("X-Mocknexus-Hint" in response["headers"]) == (code == "404")
    links = doc["paths"][V]["post"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in links.values()} == \
        {"getInteraction", "updateInteraction", "stopInteraction"}
    assert all(link["parameters"] == {"openMediaService": "$request.path.openMediaService",
                                      "interactionId": "$response.body#/data/id"} for link in links.values())
    assert doc["servers"] and doc["info"]["license"]["name"] == "MIT"


def test_a_rule_as_the_server_answers_it_is_valid_by_the_document(doc):
    rule = create_app().test_client().post("/__admin/faults", json={"action": {"status": 503}}).json
    assert rule["action"]["delay_ms"] is None and rule["action"]["kind"] is None
    OAS30Validator({"components": doc["components"], "$ref": "#/components/schemas/Rule"}).validate(rule)


@pytest.mark.parametrize("allowed", [False, True])
def test_the_fault_request_header_is_documented_where_the_server_honours_it(allowed):
    doc = document(create_app(ServerConfig(allow_header_faults=allowed)))
    for path, _, operation, _ in operations(doc):
        if path.startswith("/nexus"):
            names = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
            assert names == {"X-B3-TraceId"} | ({"X-Mocknexus-Fault"} if allowed else set())
