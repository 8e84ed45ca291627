"""http.py: a body the fault check already parsed is read the same as one it did not (no second parse)."""

import json

import pytest

from tests.conftest import BASE, KEY, assert_error, assert_ok

CREATE = f"{BASE}/crm-tasks/interactions"
JSON = {**KEY, "Content-Type": "application/json"}


@pytest.fixture
def externalid_rule(client):
    """A rule that makes every create's externalId be read (json.loads of the raw bytes) before the view."""
    rule = {"match": {"operation": "createInteraction", "externalId": "never-sent"}, "action": {"status": 500}}
    assert client.post("/__admin/faults", json=rule).status_code == 200


@pytest.mark.usefixtures("externalid_rule")
def test_a_body_parsed_by_the_fault_check_creates_the_same_interaction(client):
    body = {"externalId": "shared-parse", "userData": {"Subject": "é", "Nested": {"N": 1}}}
    data = assert_ok(client.post(CREATE, data=json.dumps(body), headers=JSON))
    assert data["externalId"] == "shared-parse" and data["userData"] == body["userData"]
    journaled = client.get("/__admin/requests").json["requests"][-1]
    assert journaled["body"] == body and journaled["status"] == 200


@pytest.mark.usefixtures("externalid_rule")
@pytest.mark.parametrize("raw", [
    b'\xef\xbb\xbf{"externalId": "bom"}',  # json.loads(bytes) takes a UTF-8 BOM; the API does not
    '{"externalId": "u16"}'.encode("utf-16-be"),  # json.loads(bytes) guesses UTF-16 from the NUL bytes
])
def test_bodies_the_fault_check_can_parse_but_the_api_refuses_stay_400(client, raw):
    assert_error(client.post(CREATE, data=raw, headers=JSON), 400)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_the_encoders_refuse_what_is_not_json(value):
    """Every answer is RFC 8259 JSON: a NaN that got past the readers is an error, never a bare NaN written."""
    from mocknexus.web.http import json_response, ok, reply

    for encode in (json_response, ok, reply):
        with pytest.raises(ValueError, match="not JSON compliant"):
            encode({"x": value})
