"""Property-based fuzz (schemathesis) of every documented operation against a live server: the server honours
its own OpenAPI document. MOCKNEXUS_FUZZ_EXAMPLES raises the budget (`make fuzz`)."""

import os
import uuid
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mocknexus.app import create_app
from mocknexus.openapi import document
from mocknexus.server import MockNexus

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXAMPLES = int(os.environ.get("MOCKNEXUS_FUZZ_EXAMPLES", "10"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
DOCUMENT = document(create_app())
schema = schemathesis.openapi.from_dict(DOCUMENT)


@pytest.fixture(scope="module")
def server():
    with MockNexus(fixtures=[str(FIXTURES)], port=0) as nexus:
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
    case.call_and_validate(base_url=base, session=session, headers={"x-api-key": "fuzz"}, checks=CHECKS,
                           timeout=10)


def _bound_waits(case) -> None:
    """POST /__admin/requests/wait blocks until timeoutMs (default 5 s) in a fresh namespace: keep that short."""
    if case.path.endswith("/requests/wait") and isinstance(case.body, dict):
        timeout = case.body.get("timeoutMs", 5000)
        if isinstance(timeout, int) and not isinstance(timeout, bool) and timeout > 20:
            case.body["timeoutMs"] = 20
