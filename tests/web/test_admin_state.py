"""§2.1: health, reset, interactions (list, seed), the whole state (GET/PUT round trip), settings."""

import json
import threading

import pytest

from mocknexus import __version__
from mocknexus.cli import main
from mocknexus.core.config import ServerConfig
from mocknexus.schemas.reader import load_fixtures
from mocknexus.web.app import create_app
from tests.conftest import BASE, FIXTURES, KEY, assert_error, assert_ok

CREATE = f"{BASE}/crm-tasks/interactions"
FIXTURE_IDS = ["0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10", "5b9c1f2a-3d4e-4f60-8a7b-9c0d1e2f3a4b",
               "9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4"]


def create(client, ext=None, service="crm-tasks", **body):
    if ext is not None:
        body["externalId"] = ext
    return assert_ok(client.post(f"{BASE}/{service}/interactions", json=body, headers=KEY))


def ids(response):
    return [i["id"] for i in response.json["interactions"]]


def test_health_counts_live_interactions(client):
    assert client.get("/__admin/health").json == {"status": "ok", "version": __version__, "interactions": 2}
    create(client, "h1")
    assert client.get("/__admin/health").json["interactions"] == 3


def test_reset_restores_interactions_journal_clock_and_settings(client):
    create(client, "r1")
    client.patch("/__admin/settings", json={"strict": True, "idStyle": "genesys"})
    client.put("/__admin/clock", json={"now": "2030-01-01T00:00:00Z"})
    assert client.post("/__admin/reset").json == {"status": "ok"}
    assert ids(client.get("/__admin/interactions")) == FIXTURE_IDS
    assert client.get("/__admin/requests").json == {"requests": []}
    assert client.get("/__admin/clock").json["frozen"] is False
    assert client.get("/__admin/settings").json == {
        "strict": False, "retainStopped": False, "idStyle": "uuid", "maxBody": 1024 * 1024}
    create(client, "r1")  # its externalId is free again


def test_list_interactions_in_creation_order_with_stopped_ones_and_filters(client):
    new = create(client, "l1")
    assert ids(client.get("/__admin/interactions")) == FIXTURE_IDS + [new["id"]]
    stopped = client.get("/__admin/interactions?state=stopped").json["interactions"]
    assert [i["id"] for i in stopped] == [FIXTURE_IDS[2]]
    assert stopped[0]["stopReason"] == {"systemName": "agent", "description": "Resolved"}
    assert ids(client.get("/__admin/interactions?service=crm-tasks&state=queued")) == [FIXTURE_IDS[0], new["id"]]
    assert ids(client.get("/__admin/interactions?service=email-in")) == []


@pytest.mark.parametrize("query", ["state=done", "colour=red"])
def test_list_interactions_rejects_bad_filters(client, query):
    assert "details" in assert_error(client.get(f"/__admin/interactions?{query}"), 400)


def test_seed_adds_interactions_the_vendor_api_then_serves(client):
    body = {"interactions": [
        {"openMediaService": "crm-tasks", "externalId": "s1", "userData": {"Priority": 1}},
        {"id": "seed-2", "openMediaService": "web-chat", "state": "stopped"},
    ]}
    seeded = client.post("/__admin/interactions", json=body).json["interactions"]
    assert [i["externalId"] for i in seeded] == ["s1", None] and seeded[1]["id"] == "seed-2"
    got = assert_ok(client.get(f"{CREATE}/ext_s1", headers=KEY))
    assert got["id"] == seeded[0]["id"] and got["userData"] == {"Priority": 1}
    assert_error(client.post(CREATE, json={"externalId": "s1"}, headers=KEY), 409)


@pytest.mark.parametrize("bad, where", [
    ({"openMediaService": "nope"}, "interactions[1].openMediaService"),
    ({"openMediaService": "crm-tasks", "externalId": "ticket-42"}, "interactions[1].externalId"),
    ({"openMediaService": "crm-tasks", "id": FIXTURE_IDS[0]}, "interactions[1].id"),
    ({"openMediaService": "crm-tasks", "userData": {"State": "x"}}, "interactions[1].userData"),
    ({"openMediaService": "crm-tasks", "colour": "red"}, "interactions[1].colour"),
])
def test_seed_is_all_or_nothing(client, bad, where):
    body = {"interactions": [{"openMediaService": "crm-tasks", "externalId": "ok-1"}, bad]}
    status = assert_error(client.post("/__admin/interactions", json=body), 400)
    assert where in status["details"]
    assert ids(client.get("/__admin/interactions")) == FIXTURE_IDS


@pytest.mark.parametrize("body", [None, "[]", '{"interactions": {}}', "{}", "nope"])
def test_seed_rejects_a_body_that_is_not_a_seed_document(client, body):
    assert_error(client.post("/__admin/interactions", data=body, content_type="application/json"), 400)


def test_state_round_trip_changes_nothing(client):
    create(client, "rt1", userData={"Deep": {"Deeper": {"n": 1}}}, receivedAt="2026-05-01T12:00:00.123456+02:00")
    client.post(f"{CREATE}/ext_rt1/stop", json={"reasonSystemName": "crm"}, headers=KEY)
    create(client, "rt1")  # the externalId again, on a new live interaction
    state = client.get("/__admin/state").json
    assert set(state) == {"services", "apiKeys", "interactions", "webhooks"} and len(state["interactions"]) == 5
    assert client.put("/__admin/state", json=state).json == state
    assert client.get("/__admin/state").json == state
    assert_ok(client.get(f"{CREATE}/ext_rt1", headers=KEY))


def test_state_is_accepted_by_serve_fixtures_and_check(client, tmp_path, capsys):
    create(client, "file-1")
    state = client.get("/__admin/state").json
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    assert main(["check", str(path)]) == 0
    loaded = create_app(ServerConfig(fixtures=[str(path)])).test_client()
    assert loaded.get("/__admin/state").json == state


def test_put_state_replaces_services_keys_and_interactions(client):
    doc = {"services": ["billing"], "apiKeys": ["k1"],
           "interactions": [{"openMediaService": "billing", "externalId": "b1"}]}
    state = client.put("/__admin/state", json=doc).json
    assert [s["name"] for s in state["services"]] == ["billing"] and [k["key"] for k in state["apiKeys"]] == ["k1"]
    assert_error(client.get(f"{CREATE}/ext_ticket-42", headers={"x-api-key": "k1"}), 404)
    assert_ok(client.get(f"{BASE}/billing/interactions/ext_b1", headers={"x-api-key": "k1"}))
    assert_error(client.get(f"{BASE}/billing/interactions/ext_b1", headers=KEY), 401)
    client.post("/__admin/reset")
    assert ids(client.get("/__admin/interactions")) == FIXTURE_IDS


@pytest.mark.parametrize("doc, where", [
    ({"services": ["a"], "interactions": [{"openMediaService": "b"}]}, "interactions[0].openMediaService"),
    ({"services": [{"nom": "a"}]}, "services[0].nom"),
    ({"apiKeys": [{"key": "k", "services": ["ghost"]}]}, "apiKeys[0].services"),
    ({"interactions": [{"openMediaService": "crm-tasks", "receivedAt": "yesterday"}]}, "interactions[0].receivedAt"),
])
def test_put_state_with_a_bad_document_is_400_and_changes_nothing(client, doc, where):
    before = client.get("/__admin/state").json
    assert where in assert_error(client.put("/__admin/state", json=doc), 400)["details"]
    assert client.get("/__admin/state").json == before


def test_put_state_keeps_keys_given_on_the_command_line():
    client = create_app(ServerConfig(fixtures=[str(FIXTURES)], api_keys=["cli-key"])).test_client()
    state = client.put("/__admin/state", json={"services": ["crm-tasks"]}).json
    assert [k["key"] for k in state["apiKeys"]] == ["cli-key"]


def test_settings_read_and_patch(client):
    assert client.get("/__admin/settings").json == {
        "strict": False, "retainStopped": False, "idStyle": "uuid", "maxBody": 1048576}
    patched = client.patch("/__admin/settings", json={"retainStopped": True, "maxBody": 10})
    assert patched.json == {"strict": False, "retainStopped": True, "idStyle": "uuid", "maxBody": 10}
    assert_error(client.post(CREATE, json={"externalId": "too-long"}, headers=KEY), 413)
    client.patch("/__admin/settings", json={"maxBody": 1000, "idStyle": "genesys", "strict": True})
    new = create(client, "g1")
    assert len(new["id"]) == 16 and new["id"].isalnum()
    assert_error(client.post(CREATE, json={"externalID": "x"}, headers=KEY), 400)
    client.post(f"{CREATE}/ext_g1/stop", headers=KEY)
    assert assert_ok(client.get(f"{CREATE}/ext_g1", headers=KEY))["state"] == "stopped"


@pytest.mark.parametrize("body, field", [
    ({"strict": "yes"}, "strict"), ({"strict": 1}, "strict"), ({"retainStopped": None}, "retainStopped"),
    ({"idStyle": "snowflake"}, "idStyle"), ({"maxBody": 0}, "maxBody"), ({"maxBody": 1.5}, "maxBody"),
    ({"maxBody": True}, "maxBody"), ({"maxBody": "10"}, "maxBody"), ({"colour": "red"}, "colour"),
])
def test_settings_patch_validates_types_and_changes_nothing_when_bad(client, body, field):
    before = client.get("/__admin/settings").json
    assert field in assert_error(client.patch("/__admin/settings", json={"strict": True, **body}), 400)["details"]
    assert client.get("/__admin/settings").json == before


def test_settings_patch_needs_a_json_object(client):
    assert_error(client.patch("/__admin/settings", data="[]", content_type="application/json"), 400)
    assert_error(client.patch("/__admin/settings"), 400)


def test_with_a_seed_the_same_requests_after_a_reset_give_the_same_ids():
    client = create_app(ServerConfig(fixtures=[str(FIXTURES)], seed=42)).test_client()

    def run():
        made = [create(client, f"seeded-{n}")["id"] for n in range(3)]
        made += ids(client.post("/__admin/interactions", json={"interactions": [{"openMediaService": "web-chat"}]}))
        client.patch("/__admin/settings", json={"idStyle": "genesys"})
        return made + [create(client, "g")["id"]]

    first = run()
    client.post("/__admin/reset")
    assert run() == first and len(set(first)) == 5
    other = create_app(ServerConfig(fixtures=[str(FIXTURES)], seed=43)).test_client()
    assert create(other, "seeded-0")["id"] != first[0]


def test_without_a_seed_ids_differ_after_a_reset(client):
    first = create(client, "u")["id"]
    client.post("/__admin/reset")
    assert create(client, "u")["id"] != first


def test_the_fixture_set_is_not_changed_by_use(client, app):
    create(client, "x")
    client.post(f"{CREATE}/ext_ticket-42/update", json={"changedProperties": {"Priority": 1}}, headers=KEY)
    client.post(f"{CREATE}/ext_ticket-42/stop", headers=KEY)
    client.post("/__admin/reset")
    again = assert_ok(client.get(f"{CREATE}/ext_ticket-42", headers=KEY))
    assert again["userData"]["Priority"] == 5 and again["state"] == "queued"
    assert load_fixtures([str(FIXTURES)], None).interactions[0].user_data["Priority"] == 5


def test_concurrent_seeds_of_one_external_id_let_exactly_one_through(app):
    barrier, statuses = threading.Barrier(8), []

    def seed():
        client = app.test_client()
        barrier.wait()
        body = {"interactions": [{"openMediaService": "crm-tasks", "externalId": "race"}]}
        statuses.append(client.post("/__admin/interactions", json=body).status_code)

    threads = [threading.Thread(target=seed) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(statuses) == [200] + [400] * 7
    live = app.test_client().get("/__admin/interactions?state=queued").json["interactions"]
    assert [i["externalId"] for i in live].count("race") == 1
