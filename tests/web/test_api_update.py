"""updateInteraction and updateInteractionByExternalId (§1.5): changed → added → deleted; every 400; 404."""

import pytest

from tests.conftest import BASE, KEY, assert_error, assert_ok

URL = f"{BASE}/crm-tasks/interactions"


@pytest.fixture
def created(client):
    body = {"externalId": "upd", "userData": {"Subject": "s", "Priority": 5, "Old": "o"}}
    return assert_ok(client.post(URL, json=body, headers=KEY))


def update(client, ref, body, **kwargs):
    return client.post(f"{URL}/{ref}/update", json=body, headers=KEY, **kwargs)


@pytest.mark.parametrize("by", ["id", "ext"])
def test_changed_then_added_then_deleted(client, created, by):
    ref = created["id"] if by == "id" else "ext_upd"
    body = {"changedProperties": {"Subject": "new", "Missing": "added-by-changed"},
            "addedProperties": {"Priority": 7, "Nested": {"a": {"b": "c"}}},
            "deletedProperties": ["Old", "NeverThere"], "data": {"why": "test"}}
    data = assert_ok(update(client, ref, body))
    assert data["userData"] == {"Subject": "new", "Missing": "added-by-changed", "Priority": 7,
                                "Nested": {"a": {"b": "c"}}}
    assert {k: v for k, v in data.items() if k != "userData"} == {
        k: v for k, v in created.items() if k != "userData"}
    assert assert_ok(client.get(f"{URL}/{created['id']}", headers=KEY)) == data


@pytest.mark.parametrize("body, user_data", [
    ({"changedProperties": {"Priority": 1}}, {"Subject": "s", "Priority": 1, "Old": "o"}),
    ({"addedProperties": {"Subject": "over"}}, {"Subject": "over", "Priority": 5, "Old": "o"}),
    ({"deletedProperties": ["Old"]}, {"Subject": "s", "Priority": 5}),
    ({"deletedProperties": []}, {"Subject": "s", "Priority": 5, "Old": "o"}),
])
def test_each_part_alone(client, created, body, user_data):
    assert assert_ok(update(client, created["id"], body))["userData"] == user_data


@pytest.mark.parametrize("raw", [None, b"", b"{}", b'{"data": {}}'])
def test_no_body_or_none_of_the_three_is_400(client, created, raw):
    response = client.post(f"{URL}/{created['id']}/update", data=raw, headers=KEY)
    status = assert_error(response, 400)
    assert "changedProperties" in str(status) or "JSON object" in status["message"]


def test_a_key_in_more_than_one_part_is_400(client, created):
    body = {"changedProperties": {"a": "1"}, "addedProperties": {"a": "2", "b": "x"}, "deletedProperties": ["b"]}
    status = assert_error(update(client, created["id"], body), 400)
    assert status["details"] == {"body": ["'a' appears in more than one of changed/added/deleted properties.",
                                          "'b' appears in more than one of changed/added/deleted properties."]}
    assert assert_ok(client.get(f"{URL}/{created['id']}", headers=KEY))["userData"] == created["userData"]


@pytest.mark.parametrize("body, field, problem", [
    ({"changedProperties": {"State": "x"}}, "changedProperties", "reserved key"),
    ({"addedProperties": {"InteractionId": "x"}}, "addedProperties", "reserved key"),
    ({"deletedProperties": ["Queue"]}, "deletedProperties", "reserved key"),
    ({"changedProperties": {"a": 1.5}}, "changedProperties", "number"),
    ({"addedProperties": {"a": False}}, "addedProperties", "boolean"),
    ({"addedProperties": {"a": 2**64}}, "addedProperties", "64-bit"),
    ({"changedProperties": "x"}, "changedProperties", "mapping"),
    ({"deletedProperties": "Old"}, "deletedProperties", "list"),
    ({"deletedProperties": [1]}, "deletedProperties[0]", "string"),
    ({"addedProperties": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {}}}}}}}}}}}, "addedProperties",
     "deeper than 8"),
    ({"changedProperties": {"a": "b"}, "data": []}, "data", "mapping"),
])
def test_invalid_parts_are_400_and_nothing_changes(client, created, body, field, problem):
    status = assert_error(update(client, created["id"], body), 400)
    assert field in status["details"], status
    assert any(problem in text for text in status["details"][field]), status
    assert assert_ok(client.get(f"{URL}/{created['id']}", headers=KEY))["userData"] == created["userData"]


def test_unknown_service_interaction_or_other_service_is_404(client, created):
    body = {"addedProperties": {"a": "b"}}
    assert_error(client.post(f"{BASE}/nope/interactions/{created['id']}/update", json=body, headers=KEY), 404)
    assert_error(client.post(f"{BASE}/web-chat/interactions/{created['id']}/update", json=body, headers=KEY), 404)
    status = assert_error(update(client, "ext_not-there", body), 404)
    assert "not-there" in status["message"]
