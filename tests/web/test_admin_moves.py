"""The contact center's moves (§5): route, handle, requeue, update, stop by agent/workflow/system on /__admin."""

import pytest

from mocknexus.core.config import ServerConfig, WorldSettings
from mocknexus.web.app import create_app
from tests.conftest import BASE, FIXTURES, KEY, assert_error, assert_ok

URL = f"{BASE}/crm-tasks/interactions"
ADMIN = "/__admin/interactions/crm-tasks"


def new(client, external_id=None):
    return assert_ok(client.post(URL, json={"externalId": external_id} if external_id else {}, headers=KEY))


def moved(client, ref, move, body=None, status=200):
    response = client.post(f"{ADMIN}/{ref}/{move}", json=body)
    assert response.status_code == status, response.json
    return response.json


@pytest.mark.parametrize("by", ["id", "ext"])
def test_queued_routing_handling_requeue_then_stopped_by_the_agent(client, by):
    created = new(client, "t-1")
    ref = created["id"] if by == "id" else "ext_t-1"
    assert moved(client, ref, "route")["state"] == "routing"
    handled = moved(client, ref, "handle", {"agent": "agent-7"})
    assert handled["state"] == "handling" and handled["agent"] == "agent-7" and handled["id"] == created["id"]
    assert "agent" not in assert_ok(client.get(f"{URL}/{created['id']}", headers=KEY))  # admin view only
    requeued = moved(client, ref, "requeue")
    assert requeued["state"] == "queued" and requeued["agent"] is None
    assert moved(client, ref, "handle")["agent"] is None  # straight from queued, no agent named
    stopped = moved(client, ref, "stop", {"reasonSystemName": "Done", "reasonDescription": "Resolved"})
    assert stopped["state"] == "stopped" and stopped["stoppedBy"] == "agent"
    assert stopped["stopReason"] == {"systemName": "Done", "description": "Resolved"} and stopped["stoppedAt"]
    # The client's next calls: gone, as after its own stop, and its externalId is free again.
    for ref in (created["id"], "ext_t-1"):
        assert_error(client.get(f"{URL}/{ref}", headers=KEY), 404)
        assert_error(client.post(f"{URL}/{ref}/update", json={"addedProperties": {"a": "b"}}, headers=KEY), 404)
        assert_error(client.post(f"{URL}/{ref}/stop", headers=KEY), 404)
    new(client, "t-1")


@pytest.mark.parametrize("state_moves, move, target", [
    ([], "requeue", "queued"), (["route"], "route", "routing"), (["handle"], "route", "routing"),
    (["handle"], "handle", "handling"),
])
def test_a_move_its_state_does_not_allow_is_409_naming_both_states(client, state_moves, move, target):
    created = new(client)
    for step in state_moves:
        moved(client, created["id"], step)
    before = client.get("/__admin/interactions").json
    status = assert_error(client.post(f"{ADMIN}/{created['id']}/{move}"), 409)
    current = "handling" if "handle" in state_moves else state_moves and "routing" or "queued"
    assert current in status["message"] and target in status["message"]
    assert client.get("/__admin/interactions").json == before


@pytest.mark.parametrize("move", ["route", "handle", "requeue", "update", "stop"])
def test_no_live_interaction_is_404_a_stopped_one_too_even_retained(move):
    app = create_app(ServerConfig(fixtures=[str(FIXTURES)], settings=WorldSettings(retain_stopped=True)))
    client = app.test_client()
    created = new(client, "gone")
    assert_ok(client.post(f"{URL}/{created['id']}/stop", headers=KEY))
    body = {"addedProperties": {"a": "b"}} if move == "update" else None
    for ref in (created["id"], "ext_gone", "no-such-id", "ext_nothing"):
        assert_error(client.post(f"{ADMIN}/{ref}/{move}", json=body), 404)
    assert_error(client.post(f"/__admin/interactions/no-service/{created['id']}/{move}", json=body), 404)
    # an id of another service is not this service's
    assert_error(client.post(f"/__admin/interactions/web-chat/{new(client)['id']}/{move}", json=body), 404)


@pytest.mark.parametrize("by", ["agent", "workflow", "system"])
def test_stopped_by_shows_in_the_admin_view_and_with_retain_stopped(by):
    app = create_app(ServerConfig(fixtures=[str(FIXTURES)], settings=WorldSettings(retain_stopped=True)))
    client = app.test_client()
    created = new(client, "kept")
    moved(client, "ext_kept", "stop", {"by": by})
    data = assert_ok(client.get(f"{URL}/{created['id']}", headers=KEY))
    assert data["state"] == "stopped" and data["stoppedBy"] == by
    assert_error(client.post(f"{URL}/{created['id']}/stop", headers=KEY), 409)
    listed = {i["id"]: i for i in client.get("/__admin/interactions?state=stopped").json["interactions"]}
    assert listed[created["id"]]["stoppedBy"] == by


def test_a_client_stop_says_stopped_by_client(client):
    created = new(client)
    assert assert_ok(client.post(f"{URL}/{created['id']}/stop", headers=KEY))["stoppedBy"] == "client"


def test_the_agent_update_applies_the_vendor_rules(client):
    created = new(client)
    ref = created["id"]
    moved(client, ref, "update", {"addedProperties": {"a": "1", "c": "3"}})
    data = moved(client, ref, "update", {"changedProperties": {"a": "2"}, "addedProperties": {"b": 2},
                                         "deletedProperties": ["c", "missing"]})
    assert data["userData"] == {"a": "2", "b": 2}
    assert assert_ok(client.get(f"{URL}/{ref}", headers=KEY))["userData"] == {"a": "2", "b": 2}
    for bad in (None, {}, {"addedProperties": {"State": "x"}}, {"addedProperties": {"f": 1.5}},
                {"changedProperties": {"a": "1"}, "deletedProperties": ["a"]}, {"addedProperties": {}, "x": 1}):
        assert_error(client.post(f"{ADMIN}/{ref}/update", json=bad), 400)
    assert moved(client, ref, "route")["userData"] == {"a": "2", "b": 2}


@pytest.mark.parametrize("move, body", [
    ("handle", {"agent": 7}), ("handle", {"agent": ""}), ("handle", {"agentId": "a"}), ("handle", [1]),
    ("stop", {"by": "client"}), ("stop", {"by": "robot"}), ("stop", {"reasonSystemName": 1}),
])
def test_a_bad_body_is_400_and_changes_nothing(client, move, body):
    created = new(client)
    assert_error(client.post(f"{ADMIN}/{created['id']}/{move}", json=body), 400)
    assert assert_ok(client.get(f"{URL}/{created['id']}", headers=KEY))["state"] == "queued"


def test_moves_are_not_journaled_and_faults_never_touch_them(client):
    created = new(client, "quiet")
    client.post("/__admin/faults", json={"action": {"status": 503}})
    client.delete("/__admin/requests")
    moved(client, "ext_quiet", "route")
    moved(client, "ext_quiet", "stop", {"by": "system"})
    assert client.get("/__admin/requests").json["requests"] == []
    assert client.get("/__admin/faults").json["faults"][0]["fired"] == 0
    assert created["id"]


def test_an_external_id_with_a_slash_and_unicode(live_server):
    import requests

    root = live_server.root
    created = requests.post(f"{live_server.url}/openmedia/crm-tasks/interactions", json={"externalId": "a/b ü"},
                            headers=KEY, timeout=10).json()["data"]
    answer = requests.post(f"{root}{ADMIN}/ext_a%2Fb%20%C3%BC/route", timeout=10)
    assert answer.status_code == 200 and answer.json()["id"] == created["id"]


def test_the_states_round_trip_through_the_state_document(client):
    created = new(client, "rt")
    moved(client, "ext_rt", "handle", {"agent": "a-1"})
    doc = client.get("/__admin/state").json
    assert client.put("/__admin/state", json=doc).status_code == 200
    again = {i["id"]: i for i in client.get("/__admin/interactions?state=handling").json["interactions"]}
    assert again[created["id"]]["agent"] == "a-1"
    moved(client, "ext_rt", "stop", {"by": "workflow"})
    doc = client.get("/__admin/state").json
    assert client.put("/__admin/state", json=doc).status_code == 200
    assert client.get("/__admin/interactions?state=stopped").json["interactions"][-1]["stoppedBy"] == "workflow"
