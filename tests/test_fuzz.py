"""Property-based fuzz (schemathesis) of every documented operation against a live server: the server honours
its own OpenAPI document. MOCKNEXUS_FUZZ_EXAMPLES raises the budget (`make fuzz`)."""

import os
import uuid
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from mocknexus.schemas.admin import MAX_WAIT_MS
from mocknexus.serving.server import MockNexus
from mocknexus.web.app import create_app
from mocknexus.web.openapi import document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXAMPLES = int(os.environ.get("MOCKNEXUS_FUZZ_EXAMPLES", "10"))
KEY = "fuzz-key"  # the only key the server knows, so that a wrong or missing one must be a 401
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection, unsupported_method, ignored_auth, missing_required_header]
DOCUMENT = document(create_app())
schema = schemathesis.openapi.from_dict(DOCUMENT)


@pytest.fixture(scope="module")
def server():
    with MockNexus(fixtures=[str(FIXTURES)], port=0, api_keys=[KEY]) as nexus:
        yield nexus
        assert not nexus.app.extensions["mocknexus.errors"], "the server hit unexpected exceptions"


@pytest.fixture(scope="module")
def session():
    with requests.Session() as s:
        yield s


def test_the_fuzzed_document_is_the_one_the_live_server_publishes(server):
    assert requests.get(server.root + "/openapi.json", timeout=10).json() == DOCUMENT


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_honours_the_document(case, server, session):
    # A namespace per example: what one example does (stop, reset, a fault rule) cannot reach the next,
    # so every 5xx seen is one that no fault asked for.
    _bound_waits(case)
    base = f"{server.root}/__ns/fuzz-{uuid.uuid4().hex[:12]}"
    case.call_and_validate(base_url=base, session=session, headers={"x-api-key": KEY}, checks=CHECKS,
                           timeout=10)


# Huge strings of any Unicode (astral planes, combining marks, right-to-left, NUL; not lone surrogates, which
# JSON cannot carry as text), in every string a vendor operation takes.
HUGE = st.text(st.characters(codec="utf-8"), min_size=1000, max_size=20_000)
# Path values: '?' and '#' (sent unencoded) and '.' and '..' (folded away) are left out only because of the
# client; tests/test_hostile.py sends such paths by hand. 1,500 characters keep the request line under
# waitress's 256 KB header limit.
IDS = st.one_of(st.sampled_from(["ticket-42", "0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10"]),
                st.text(st.characters(codec="utf-8", exclude_characters="?#"), min_size=1, max_size=1500)
                .filter(lambda s: s not in (".", "..")))
BODIES = {
    "": lambda s: {"externalId": s[:255], "userData": {s[:500]: s, "Nested": {"Deep": s}}, "data": {"note": s}},
    "/stop": lambda s: {"reasonSystemName": s, "reasonDescription": s, "data": {s[:100]: s}},
    "/update": lambda s: {"changedProperties": {s[:500]: s}, "addedProperties": {"Big": s}, "deletedProperties": [s]},
}
VENDOR = [(path, method) for path, item in DOCUMENT["paths"].items() if path.startswith("/nexus")
          for method in item if method != "parameters"]


@pytest.mark.parametrize(("path", "method"), VENDOR)
@settings(max_examples=max(3, EXAMPLES // 2), deadline=None, suppress_health_check=list(HealthCheck),
          database=None)
@given(text=HUGE, ident=IDS, service=st.sampled_from(["crm-tasks", "web-chat"]))
def test_huge_unicode_strings_everywhere(server, session, path, method, text, ident, service):
    operation = schema[path][method]
    params = {"openMediaService": service, "externalId": ident, "interactionId": ident}
    body = next((build(text) for end, build in sorted(BODIES.items(), reverse=True) if path.endswith(end)), None)
    case = operation.Case(path_parameters={k: v for k, v in params.items() if "{" + k + "}" in path},
                          body=body if method == "post" else schemathesis.core.NOT_SET,
                          headers={"X-B3-TraceId": "t" * 8000})
    base = f"{server.root}/__ns/huge-{uuid.uuid4().hex[:12]}"
    response = case.call_and_validate(base_url=base, session=session, headers={"x-api-key": KEY}, checks=CHECKS,
                                      timeout=10)
    if response.status_code == 200 and path.endswith("/update"):
        assert response.json()["data"]["userData"]["Big"] == text


def _bound_waits(case) -> None:
    """POST /__admin/requests/wait (and .../deliveries/wait) blocks until timeoutMs (default 5 s) in a fresh
    namespace: keep that short (a valid timeout only: an invalid one is what a negative example is about)."""
    if case.path.endswith("/wait") and isinstance(case.body, dict):  # the journal's and the deliveries' waits
        timeout = case.body.get("timeoutMs", 5000)
        if isinstance(timeout, int) and not isinstance(timeout, bool) and 20 < timeout <= MAX_WAIT_MS:
            case.body["timeoutMs"] = 20
