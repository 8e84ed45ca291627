"""The webhook registry and deliveries on /__admin (§6): validation, limits, per namespace, reset, state export."""

import json

import pytest

from mocknexus.core.config import ServerConfig
from mocknexus.receiver import WebhookReceiver
from mocknexus.state.webhooks import MAX_WEBHOOKS
from mocknexus.web.app import create_app
from tests.conftest import BASE, FIXTURES, KEY, assert_error, assert_ok

HOOKS = "/__admin/webhooks"
URL = f"{BASE}/crm-tasks/interactions"


@pytest.fixture
def receiver():
    with WebhookReceiver() as rx:
        yield rx


def test_register_fills_in_the_defaults_and_lists_removes(client):
    hook = client.post(HOOKS, json={"url": "http://127.0.0.1:9/x"}).json
    assert hook == {"id": hook["id"], "url": "http://127.0.0.1:9/x", "secret": "", "events": ["STARTED", "FINISHED"],
                    "services": None, "retries": 3, "retryDelayMs": 1000, "timeoutMs": 10000}
    named = client.post(HOOKS, json={"id": "mine", "url": "https://example.invalid/h?x=1", "secret": "s",
                                     "events": ["FINISHED"], "services": ["crm-tasks"], "retries": 0,
                                     "retryDelayMs": 0, "timeoutMs": 1}).json
    assert named["id"] == "mine" and named["services"] == ["crm-tasks"]
    assert_error(client.post(HOOKS, json={"id": "mine", "url": "http://a/"}), 409)
    assert [h["id"] for h in client.get(HOOKS).json["webhooks"]] == [hook["id"], "mine"]
    assert client.delete(f"{HOOKS}/mine").json == {"status": "ok", "deleted": 1}
    assert_error(client.delete(f"{HOOKS}/mine"), 404)
    assert client.delete(HOOKS).json == {"status": "ok", "deleted": 1}
    assert client.get(HOOKS).json == {"webhooks": []}


@pytest.mark.parametrize("body", [
    None, [], {}, {"url": "ftp://host/x"}, {"url": "file:///etc/passwd"}, {"url": "http:///nohost"},
    {"url": "http://host:99999/"}, {"url": "http://host/a b"}, {"url": "http://host/\n"}, {"url": 7},
    {"url": "http://h/" + "a" * 2048}, {"url": "http://h/", "events": []}, {"url": "http://h/", "events": ["STOPPED"]},
    {"url": "http://h/", "events": ["STARTED", "STARTED"]}, {"url": "http://h/", "retries": 11},
    {"url": "http://h/", "retries": -1}, {"url": "http://h/", "retries": 1.5}, {"url": "http://h/", "timeoutMs": 0},
    {"url": "http://h/", "retryDelayMs": 60001}, {"url": "http://h/", "secret": 1}, {"url": "http://h/", "x": 1},
    {"url": "http://h/", "id": "a/b"}, {"url": "http://h/", "services": "crm-tasks"},
])
def test_a_bad_webhook_is_a_400_and_nothing_is_registered(client, body):
    assert_error(client.post(HOOKS, json=body), 400)
    assert client.get(HOOKS).json == {"webhooks": []}


def test_at_most_100_per_namespace(client):
    for n in range(MAX_WEBHOOKS):
        assert client.post(HOOKS, json={"url": f"http://127.0.0.1:9/{n}"}).status_code == 200
    assert "at most 100" in assert_error(client.post(HOOKS, json={"url": "http://127.0.0.1:9/x"}), 400)["message"]
    assert client.post(f"/__ns/other{HOOKS}", json={"url": "http://127.0.0.1:9/x"}).status_code == 200


def test_deliveries_filter_wait_and_stay_in_their_namespace(client, receiver):
    hook = client.post(f"/__ns/a{HOOKS}", json={"url": receiver.url}).json
    created = assert_ok(client.post(f"/__ns/a{URL}", json={}, headers=KEY))
    assert_ok(client.post(f"/__ns/b{URL}", json={}, headers=KEY))  # no webhook there: nothing is sent
    wait = {"match": {"webhook": hook["id"], "event": "STARTED", "state": "delivered"}, "timeoutMs": 10000}
    [record] = client.post(f"/__ns/a{HOOKS}/deliveries/wait", json=wait).json["deliveries"]
    assert record["interactionId"] == created["id"] and record["body"]["data"]["entities"][0]["entity"] == created
    assert client.get(f"/__ns/a{HOOKS}/deliveries?event=FINISHED").json == {"deliveries": []}
    assert len(client.get(f"/__ns/a{HOOKS}/deliveries?limit=1&state=delivered").json["deliveries"]) == 1
    assert client.get(f"/__ns/b{HOOKS}/deliveries").json == {"deliveries": []}
    timed_out = client.post(f"/__ns/b{HOOKS}/deliveries/wait", json={"timeoutMs": 50})
    assert timed_out.status_code == 408 and timed_out.json["deliveries"] == []
    for bad in ({"count": 0}, {"timeoutMs": -1}, {"match": {"state": "lost"}}, {"match": {"x": 1}}):
        assert_error(client.post(f"{HOOKS}/deliveries/wait", json=bad), 400)
    for bad in ("state=lost", "event=x", "limit=0", "what=1"):
        assert_error(client.get(f"{HOOKS}/deliveries?{bad}"), 400)
    assert len(receiver.received) == 1


def test_fixtures_reset_and_the_state_document_carry_webhooks(tmp_path, receiver):
    fixture = tmp_path / "hooks.json"
    hook = {"id": "fx", "url": receiver.url, "secret": "k", "events": ["STARTED"]}
    fixture.write_text(json.dumps({"webhooks": [hook]}))
    client = create_app(ServerConfig(fixtures=[str(FIXTURES), str(fixture)])).test_client()
    assert [h["id"] for h in client.get(HOOKS).json["webhooks"]] == ["fx"]
    assert_ok(client.post(URL, json={}, headers=KEY))
    client.post(f"{HOOKS}/deliveries/wait", json={"match": {"state": "delivered"}, "timeoutMs": 10000})
    client.post(HOOKS, json={"id": "extra", "url": receiver.url})
    state = client.get("/__admin/state").json
    assert [(h["id"], h["secret"]) for h in state["webhooks"]] == [("fx", "k"), ("extra", "")]
    client.post("/__admin/reset")
    assert [h["id"] for h in client.get(HOOKS).json["webhooks"]] == ["fx"]
    assert client.get(f"{HOOKS}/deliveries").json == {"deliveries": []}
    assert client.put("/__admin/state", json=state).status_code == 200
    assert [h["id"] for h in client.get(HOOKS).json["webhooks"]] == ["fx", "extra"]
    state["webhooks"].append(dict(state["webhooks"][0]))
    assert "webhooks[2].id" in assert_error(client.put("/__admin/state", json=state), 400)["details"]


def test_a_receiver_that_is_never_reached_leaves_bounded_pending_deliveries():
    app = create_app(ServerConfig(fixtures=[str(FIXTURES)], journal_size=5))
    client = app.test_client()
    with WebhookReceiver(delay=2) as slow:
        client.post(HOOKS, json={"url": slow.url, "retries": 0})
        for _ in range(12):
            assert_ok(client.post(URL, json={}, headers=KEY))
        records = client.get(f"{HOOKS}/deliveries").json["deliveries"]
        assert len(records) == 5  # bounded like the journal
        assert records[-1]["state"] == "failed" and "pending" in records[-1]["attempts"][0]["error"]
        app.extensions["mocknexus"].close()


def test_deliveries_is_no_webhook_id(client):
    """`/webhooks/deliveries` names the deliveries: no webhook may take that id, and its 405 offers no DELETE."""
    assert_error(client.post(HOOKS, json={"id": "deliveries", "url": "http://127.0.0.1:9/x"}), 400)
    response = client.delete(f"{HOOKS}/deliveries")
    assert_error(response, 405)
    assert "DELETE" not in response.headers["Allow"]
