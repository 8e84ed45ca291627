"""stopInteraction and stopInteractionByExternalId (§1.5): the final interaction, then 404 (or 409 if retained)."""

import pytest

from mocknexus.core.config import ServerConfig, WorldSettings
from tests.conftest import BASE, FIXTURES, KEY, assert_error, assert_ok

URL = f"{BASE}/crm-tasks/interactions"
RETAIN = ServerConfig(fixtures=[str(FIXTURES)], settings=WorldSettings(retain_stopped=True))


def new(client, external_id=None):
    return assert_ok(client.post(URL, json={"externalId": external_id} if external_id else {}, headers=KEY))


@pytest.mark.parametrize("by", ["id", "ext"])
def test_stop_answers_the_final_interaction(client, by):
    created = new(client, "to-stop")
    ref = created["id"] if by == "id" else "ext_to-stop"
    body = {"reasonSystemName": "agent", "reasonDescription": "Done", "data": {"k": "v"}}
    data = assert_ok(client.post(f"{URL}/{ref}/stop", json=body, headers=KEY))
    assert data["state"] == "stopped" and data["id"] == created["id"]
    assert data["stoppedAt"].endswith("Z") and data["stoppedAt"] >= created["submittedAt"]
    assert data["stopReason"] == {"systemName": "agent", "description": "Done"}
    assert data["userData"] == created["userData"] and data["externalId"] == "to-stop"


@pytest.mark.parametrize("body", [None, {}, {"reasonSystemName": "bot"}])
def test_the_body_is_optional_and_reasons_default_to_null(client, body):
    created = new(client)
    data = assert_ok(client.post(f"{URL}/{created['id']}/stop", json=body, headers=KEY))
    expected = {"systemName": None, "description": None, **({"systemName": "bot"} if body else {})}
    assert data["stopReason"] == expected


def test_after_stop_get_stop_update_are_404_and_the_external_id_is_free(client):
    created = new(client, "gone")
    assert_ok(client.post(f"{URL}/ext_gone/stop", headers=KEY))
    for ref in (created["id"], "ext_gone"):
        assert_error(client.get(f"{URL}/{ref}", headers=KEY), 404)
        assert_error(client.post(f"{URL}/{ref}/stop", headers=KEY), 404)
        assert_error(client.post(f"{URL}/{ref}/update", json={"addedProperties": {"a": "b"}}, headers=KEY), 404)
    again = new(client, "gone")
    assert again["id"] != created["id"]
    assert assert_ok(client.get(f"{URL}/ext_gone", headers=KEY))["id"] == again["id"]


@pytest.mark.parametrize("config", [RETAIN])
def test_retain_stopped_keeps_it_readable_and_409s_further_writes(client):
    created = new(client, "kept")
    assert_ok(client.post(f"{URL}/{created['id']}/stop", headers=KEY))
    assert assert_ok(client.get(f"{URL}/{created['id']}", headers=KEY))["state"] == "stopped"
    for ref in (created["id"], "ext_kept"):
        status = assert_error(client.post(f"{URL}/{ref}/stop", headers=KEY), 409)
        assert created["id"] in status["message"] and "stopped" in status["message"]
        assert_error(client.post(f"{URL}/{ref}/update", json={"addedProperties": {"a": "b"}}, headers=KEY), 409)
    # The externalId is free again even though the stopped one is still readable.
    assert new(client, "kept")["id"] != created["id"]


@pytest.mark.parametrize("body, field", [
    ({"reasonSystemName": 5}, "reasonSystemName"),
    ({"reasonDescription": ["x"]}, "reasonDescription"),
    ({"data": "x"}, "data"),
])
def test_wrong_types_are_400_and_nothing_stops(client, body, field):
    created = new(client)
    status = assert_error(client.post(f"{URL}/{created['id']}/stop", json=body, headers=KEY), 400)
    assert list(status["details"]) == [field]
    assert assert_ok(client.get(f"{URL}/{created['id']}", headers=KEY))["state"] == "queued"


def test_a_body_that_is_not_an_object_is_400(client):
    created = new(client)
    assert_error(client.post(f"{URL}/{created['id']}/stop", data="[]", headers=KEY), 400)


def test_unknown_service_interaction_or_other_service_is_404(client):
    created = new(client)
    assert_error(client.post(f"{BASE}/nope/interactions/{created['id']}/stop", headers=KEY), 404)
    assert_error(client.post(f"{BASE}/web-chat/interactions/{created['id']}/stop", headers=KEY), 404)
    assert_error(client.post(f"{URL}/ext_never-made/stop", headers=KEY), 404)
    assert assert_ok(client.get(f"{URL}/{created['id']}", headers=KEY))["state"] == "queued"
