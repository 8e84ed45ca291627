"""createInteraction (§1.4): the new interaction, every 400 rule, 404 for service and parent, 409, 413."""

import re

import pytest

from tests.conftest import BASE, KEY, assert_error, assert_ok

URL = f"{BASE}/crm-tasks/interactions"
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def nested(levels: int):
    """An object with `levels` objects below it: {"k": {"k": ... "leaf"}}."""
    value = "leaf"
    for _ in range(levels):
        value = {"k": value}
    return value


def create(client, body=None, **kwargs):
    return client.post(URL, json=body, headers=KEY, **kwargs)


def test_create_answers_the_full_interaction(client):
    data = assert_ok(create(client, {"externalId": "ticket-1", "userData": {"Subject": "Call back", "Priority": 5}}))
    assert UUID4.match(data["id"])
    assert data["externalId"] == "ticket-1" and data["parentInteractionId"] is None
    assert data["openMediaService"] == "crm-tasks"
    # From the service's settings in fixtures/services.json.
    assert (data["mediaType"], data["interactionType"], data["interactionSubtype"]) == (
        "workitem", "Inbound", "InboundNew")
    assert data["state"] == "queued"
    assert ISO_MS.match(data["receivedAt"]) and ISO_MS.match(data["submittedAt"])
    assert data["userData"] == {"Subject": "Call back", "Priority": 5}
    assert data["selfUri"] == f"/nexus/v3/openmedia/crm-tasks/interactions/{data['id']}"
    assert "stoppedAt" not in data and "stopReason" not in data
    assert assert_ok(client.get(data["selfUri"], headers=KEY)) == data


@pytest.mark.parametrize("body", [None, {}])
def test_an_absent_or_empty_body_creates_with_defaults(client, body):
    response = client.post(URL, headers=KEY) if body is None else create(client, body)
    data = assert_ok(response)
    assert data["externalId"] is None and data["parentInteractionId"] is None and data["userData"] == {}


def test_service_defaults_apply_to_a_bare_service_name(client):
    data = assert_ok(client.post(f"{BASE}/email-in/interactions", json={}, headers=KEY))
    assert (data["mediaType"], data["interactionType"], data["interactionSubtype"]) == (
        "openmedia", "Inbound", "InboundNew")


@pytest.mark.parametrize("sent, stored", [
    ("2026-05-01T12:00:00+02:00", "2026-05-01T10:00:00.000Z"),
    ("2026-05-01T10:00:00Z", "2026-05-01T10:00:00.000Z"),
    ("2026-05-01T10:00:00.123456Z", "2026-05-01T10:00:00.123Z"),
    ("2026-05-01t10:00:00z", "2026-05-01T10:00:00.000Z"),
    ("0001-01-01T05:00:00+01:00", "0001-01-01T04:00:00.000Z"),
])
def test_received_at_is_normalised_to_utc_milliseconds(client, sent, stored):
    data = assert_ok(create(client, {"receivedAt": sent}))
    assert data["receivedAt"] == stored
    assert data["submittedAt"] != stored  # the server's clock, not the client's


def test_data_is_accepted_kept_on_the_journal_and_not_merged_into_user_data(app, client):
    data = assert_ok(create(client, {"data": {"note": "x"}, "userData": {"a": "b"}}))
    assert data["userData"] == {"a": "b"}
    record = app.extensions["mocknexus"].default.journal.find()[-1]
    assert record["operation"] == "createInteraction" and record["body"]["data"] == {"note": "x"}


def test_user_data_limits_that_pass(client):
    user_data = {"max": 2**63 - 1, "min": -(2**63), "deep": nested(8), "text": "ü€𝄞", "Subject": "x"}
    assert assert_ok(create(client, {"userData": user_data}))["userData"] == user_data
    # Reserved names are only reserved at the top level.
    assert assert_ok(create(client, {"userData": {"Customer": {"State": "NY"}}}))["userData"]["Customer"]


def test_user_data_nesting_counts_objects_below_user_data(client):
    assert_ok(create(client, {"userData": {"a": nested(8)}}))  # 8 objects below userData: allowed
    status = assert_error(create(client, {"userData": {"a": nested(9)}}), 400)
    assert status["details"]["userData"] == ["'k' nests objects deeper than 8 levels."]


@pytest.mark.parametrize("body, field, problem", [
    ({"externalId": ""}, "externalId", "Length"),
    ({"externalId": "x" * 256}, "externalId", "Length"),
    ({"externalId": 42}, "externalId", "Not a valid string"),
    ({"parentInteractionId": ["x"]}, "parentInteractionId", "Not a valid string"),
    ({"receivedAt": "yesterday"}, "receivedAt", "ISO-8601"),
    ({"receivedAt": 1714557600}, "receivedAt", "ISO-8601"),
    ({"receivedAt": "0001-01-01T00:00:00+01:00"}, "receivedAt", "ISO-8601"),  # before year 1 in UTC: was a 500
    ({"receivedAt": "9999-12-31T23:59:59-01:00"}, "receivedAt", "ISO-8601"),
    ({"userData": "text"}, "userData", "mapping"),
    ({"userData": [1]}, "userData", "mapping"),
    ({"data": "text"}, "data", "mapping"),
    ({"userData": {"a": 1.5}}, "userData", "'a' is a number"),
    ({"userData": {"a": True}}, "userData", "'a' is a boolean"),
    ({"userData": {"a": None}}, "userData", "'a' is null"),
    ({"userData": {"a": [1, 2]}}, "userData", "'a' is an array"),
    ({"userData": {"a": {"b": 0.5}}}, "userData", "'b' is a number"),
    ({"userData": {"a": 2**63}}, "userData", "signed 64-bit"),
    ({"userData": {"a": -(2**63) - 1}}, "userData", "signed 64-bit"),
    ({"userData": {"InteractionId": "x"}}, "userData", "'InteractionId' is a reserved key"),
    ({"userData": {"AbandonedAt": "x"}}, "userData", "reserved key"),
])
def test_invalid_fields_are_400_with_details(client, body, field, problem):
    status = assert_error(create(client, body), 400)
    assert status["message"] == "Invalid request parameters provided"
    assert list(status["details"]) == [field]
    assert any(problem in text for text in status["details"][field]), status


def test_every_bad_field_is_reported_at_once(client):
    status = assert_error(create(client, {"externalId": "", "receivedAt": "x", "userData": {"State": 1.5}}), 400)
    assert set(status["details"]) == {"externalId", "receivedAt", "userData"}
    assert len(status["details"]["userData"]) == 2


@pytest.mark.parametrize("raw, problem", [
    (b"{not json", "not JSON"),
    (b"[1, 2]", "not an array"),
    (b'"text"', "not a string"),
    (b"null", "not null"),
    (b"12", "not an integer"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[" * 100_000, "not JSON|too deeply"),
    (b'{"userData": {"a": 1' + b"0" * 5000 + b"}}", "not JSON we can read"),  # past Python's int digit limit
    # Lone surrogates decode to a str that cannot be encoded: stored, they made every later answer a 500.
    (b'{"externalId": "\\ud800"}', "lone UTF-16 surrogate"),
    (b'{"userData": {"\\udfff": "x"}}', "lone UTF-16 surrogate"),
    (b'{"unknown-\\ud83d": 1}', "lone UTF-16 surrogate"),
])
def test_a_body_that_is_not_a_json_object_is_400(client, raw, problem):
    status = assert_error(client.post(URL, data=raw, headers={**KEY, "Content-Type": "application/json"}), 400)
    assert re.search(problem, status["message"]), status
    assert "details" not in status


def test_a_surrogate_pair_is_one_character_and_fine(client):
    data = assert_ok(client.post(URL, data=b'{"externalId": "smile-\\ud83d\\ude00"}', headers=KEY))
    assert data["externalId"] == "smile-\U0001F600"
    assert assert_ok(client.get(f"{URL}/ext_smile-%F0%9F%98%80", headers=KEY))["id"] == data["id"]


def test_unknown_service_is_404(client):
    status = assert_error(client.post(f"{BASE}/no-such-service/interactions", json={}, headers=KEY), 404)
    assert "no-such-service" in status["message"]


def test_parent_must_be_a_live_interaction_of_the_service(client):
    parent = assert_ok(create(client, {"externalId": "parent"}))
    child = assert_ok(create(client, {"parentInteractionId": parent["id"]}))
    assert child["parentInteractionId"] == parent["id"]
    # web-chat's fixture interaction exists, but in another service.
    status = assert_error(create(client, {"parentInteractionId": "5b9c1f2a-3d4e-4f60-8a7b-9c0d1e2f3a4b"}), 404)
    assert "Parent interaction" in status["message"]
    assert_error(create(client, {"parentInteractionId": "no-such-id"}), 404)
    assert_ok(client.post(f"{URL}/{parent['id']}/stop", headers=KEY))
    assert_error(create(client, {"parentInteractionId": parent["id"]}), 404)


def test_a_live_duplicate_external_id_is_409(client):
    # ticket-42 is live in fixtures/interactions.json.
    status = assert_error(create(client, {"externalId": "ticket-42"}), 409)
    assert "ticket-42" in status["message"] and "0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10" in status["message"]
    # Another service may use the same externalId.
    assert_ok(client.post(f"{BASE}/web-chat/interactions", json={"externalId": "ticket-42"}, headers=KEY))


def test_a_stopped_external_id_may_be_used_again(client):
    # wa-447700900123-1 is stopped in the fixtures.
    data = assert_ok(client.post(f"{BASE}/whatsapp/interactions", json={"externalId": "wa-447700900123-1"},
                                 headers=KEY))
    assert data["id"] != "9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4"


def test_a_body_over_max_body_is_413_and_the_next_request_works(client):
    big = {"userData": {"blob": "x" * (1024 * 1024)}}
    status = assert_error(create(client, big), 413)
    assert "limit is 1048576" in status["message"]
    assert_ok(create(client, {"externalId": "after-413"}))
