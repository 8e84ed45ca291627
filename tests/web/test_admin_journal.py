"""§2.2: the journal of vendor requests (fields, filters, bound, delete) and POST /__admin/requests/wait."""

import threading
import time

import pytest
import requests

from mocknexus.core.config import ServerConfig
from mocknexus.serving.server import MockNexus
from mocknexus.web.app import create_app
from tests.conftest import BASE, FIXTURES, KEY, assert_error, assert_ok

CREATE = f"{BASE}/crm-tasks/interactions"
FIELDS = {"id", "time", "method", "path", "operation", "service", "headers", "body", "status", "durationMs",
          "warnings", "fault"}


def journal(client, query=""):
    response = client.get(f"/__admin/requests{query}")
    assert response.status_code == 200, response.json
    return response.json["requests"]


def test_a_vendor_request_is_recorded_with_every_field(client):
    client.post(CREATE, json={"externalId": "j1", "externalID": "typo"}, headers={**KEY, "X-Custom": "yes"})
    [entry] = journal(client)
    assert set(entry) == FIELDS
    assert entry["method"] == "POST" and entry["path"] == CREATE and entry["operation"] == "createInteraction"
    assert entry["service"] == "crm-tasks" and entry["status"] == 200 and entry["fault"] is None
    assert entry["body"] == {"externalId": "j1", "externalID": "typo"}
    assert entry["headers"]["X-Custom"] == "yes" and entry["warnings"] == ["unknown field 'externalID' ignored"]
    assert entry["time"].endswith("Z") and entry["durationMs"] >= 0 and entry["id"] == 1


def test_each_operation_is_named(client):
    client.get(f"{CREATE}/ext_ticket-42", headers=KEY)
    client.post(f"{CREATE}/ext_ticket-42/update", json={"addedProperties": {"a": "b"}}, headers=KEY)
    client.get(f"{CREATE}/0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10", headers=KEY)
    client.post(f"{CREATE}/0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10/update", json={"deletedProperties": ["a"]},
                headers=KEY)
    client.post(f"{CREATE}/ext_ticket-42/stop", headers=KEY)
    client.post(f"{CREATE}/0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10/stop", headers=KEY)
    assert [e["operation"] for e in journal(client)] == [
        "getInteractionByExternalId", "updateInteractionByExternalId", "getInteraction", "updateInteraction",
        "stopInteractionByExternalId", "stopInteraction"]
    assert [e["status"] for e in journal(client)] == [200, 200, 200, 200, 200, 404]


@pytest.mark.parametrize("data, headers, status, body", [
    ("not json", KEY, 400, "not json"),
    (b"\xff\xfeoops", KEY, 400, "\ufffd\ufffdoops"),
    ('{"externalId": "t"}', {}, 401, {"externalId": "t"}),
    ("plain text before the key check", {}, 401, "plain text before the key check"),
    ("[1, 2]", KEY, 400, [1, 2]),
    # Unread (401) and JSON with a lone surrogate escape: kept as text, or GET /__admin/requests was a 500.
    ('{"externalId": "\\ud800"}', {}, 401, '{"externalId": "\\ud800"}'),
])
def test_bodies_that_were_not_json_objects_are_recorded_as_text_or_json(client, data, headers, status, body):
    assert_error(client.post(CREATE, data=data, headers=headers, content_type="text/plain"), status)
    [entry] = journal(client)
    assert entry["status"] == status and entry["body"] == body


def test_a_body_over_the_limit_is_journaled_without_its_body(client):
    client.patch("/__admin/settings", json={"maxBody": 10})
    assert_error(client.post(CREATE, data="x" * 100, headers=KEY), 413)
    [entry] = journal(client)
    assert entry["status"] == 413 and entry["body"] is None


def test_admin_requests_are_never_journaled(client):
    client.get("/__admin/health")
    client.get("/__admin/interactions")
    client.get("/__admin/state")
    client.patch("/__admin/settings", json={})
    client.get("/__admin/clock")
    client.post("/__admin/requests/wait", json={"timeoutMs": 0})
    client.get("/__admin/nope")
    assert journal(client) == []
    client.get(f"{CREATE}/ext_ticket-42", headers=KEY)
    assert len(journal(client)) == 1


def test_filters_by_operation_method_path_status_service_and_limit(client):
    client.post(CREATE, json={"externalId": "f1"}, headers=KEY)
    client.post(CREATE, json={"externalId": "f1"}, headers=KEY)  # 409
    client.get(f"{CREATE}/ext_f1", headers=KEY)
    client.get(f"{BASE}/web-chat/interactions/ext_chat-7731", headers=KEY)
    assert [e["id"] for e in journal(client, "?operation=createInteraction")] == [1, 2]
    assert [e["id"] for e in journal(client, "?method=get")] == [3, 4]
    assert [e["id"] for e in client.get("/__admin/requests", query_string={"path": r"/ext_[a-z]+-\d+$"})
            .json["requests"]] == [4]
    assert [e["id"] for e in journal(client, "?status=409")] == [2]
    assert [e["id"] for e in journal(client, "?service=web-chat")] == [4]
    assert [e["id"] for e in journal(client, "?limit=2")] == [3, 4]
    assert [e["id"] for e in journal(client, "?method=POST&status=200")] == [1]


@pytest.mark.parametrize("query, field", [
    ("path=(unclosed", "path"), ("path=a{1,2", None), ("path=*", "path"), ("status=abc", "status"),
    ("status=42", "status"), ("limit=0", "limit"), ("limit=-3", "limit"), ("opration=x", "opration"),
])
def test_bad_filters_are_a_400_not_a_500(client, query, field):
    response = client.get(f"/__admin/requests?{query}")
    if field is None:  # "a{1,2" is a valid (literal) regex in Python
        assert response.status_code == 200
        return
    assert field in assert_error(response, 400)["details"]


def test_delete_empties_the_journal(client):
    client.get(f"{CREATE}/ext_ticket-42", headers=KEY)
    assert client.delete("/__admin/requests").json == {"status": "ok"}
    assert journal(client) == []
    client.get(f"{CREATE}/ext_ticket-42", headers=KEY)
    assert len(journal(client)) == 1


def test_the_journal_never_grows_past_journal_size():
    client = create_app(ServerConfig(fixtures=[str(FIXTURES)], journal_size=5)).test_client()
    for n in range(12):
        client.get(f"{CREATE}/ext_{n}", headers=KEY)
        assert len(journal(client)) == min(n + 1, 5)
    assert [e["path"] for e in journal(client)] == [f"{CREATE}/ext_{n}" for n in range(7, 12)]


def test_wait_answers_200_with_the_matching_requests_already_there(client):
    client.post(CREATE, json={"externalId": "w1"}, headers=KEY)
    client.get(f"{CREATE}/ext_w1", headers=KEY)
    response = client.post("/__admin/requests/wait", json={"match": {"operation": "createInteraction"}})
    assert response.status_code == 200
    assert [e["body"] for e in response.json["requests"]] == [{"externalId": "w1"}]


def test_wait_answers_408_at_the_timeout_with_those_seen(client):
    client.post(CREATE, json={"externalId": "w2"}, headers=KEY)
    started = time.monotonic()
    response = client.post("/__admin/requests/wait",
                           json={"match": {"method": "POST"}, "count": 2, "timeoutMs": 100})
    assert time.monotonic() - started >= 0.09
    assert response.status_code == 408
    body = response.json
    assert set(body) == {"status", "requests"} and body["status"]["code"] == 408
    assert "1 of 2" in body["status"]["message"] and len(body["requests"]) == 1


@pytest.mark.parametrize("body, field", [
    ({"count": 0}, "count"), ({"count": "2"}, "count"), ({"timeoutMs": -1}, "timeoutMs"),
    ({"timeoutMs": 10 ** 9}, "timeoutMs"), ({"match": {"path": "("}}, "match.path"),
    ({"match": {"colour": "red"}}, "match.colour"), ({"match": []}, "match"), ({"status": 200}, "status"),
])
def test_wait_rejects_bad_bodies(client, body, field):
    assert field in assert_error(client.post("/__admin/requests/wait", json=body), 400)["details"]


def test_wait_for_more_than_the_journal_can_hold_is_a_400():
    client = create_app(ServerConfig(fixtures=[str(FIXTURES)], journal_size=3)).test_client()
    assert "count" in assert_error(client.post("/__admin/requests/wait", json={"count": 4}), 400)["details"]
    assert client.post("/__admin/requests/wait", json={"count": 3, "timeoutMs": 0}).status_code == 408


def _wait_in_thread(root, body, results):
    def run():
        response = requests.post(f"{root}/__admin/requests/wait", json=body, timeout=30)
        results.append((time.monotonic(), response))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _until(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)
    return predicate()


def test_waiters_hold_no_lock_the_server_needs_and_wake_at_the_matching_request():
    """3 waiters on a server with 4 threads: a vendor request still answers, and wakes them all at once."""
    with MockNexus(fixtures=[str(FIXTURES)], port=0, threads=4) as server:
        results = []
        body = {"match": {"operation": "createInteraction", "status": 200}, "timeoutMs": 20000}
        threads = [_wait_in_thread(server.root, body, results) for _ in range(3)]
        time.sleep(0.2)  # let them reach the condition
        get = requests.get(f"{server.url}/openmedia/crm-tasks/interactions/ext_ticket-42", headers=KEY, timeout=5)
        assert_ok(get)
        assert results == []  # a request that does not match wakes nobody for good
        sent = time.monotonic()
        assert_ok(requests.post(f"{server.url}/openmedia/crm-tasks/interactions", json={"externalId": "live"},
                                headers=KEY, timeout=5))
        for thread in threads:
            thread.join(10)
        assert len(results) == 3 and all(r.status_code == 200 for _, r in results)
        assert all(r.json()["requests"][0]["body"] == {"externalId": "live"} for _, r in results)
        assert max(at for at, _ in results) - sent < 2.0  # woken by the request, far before the 20 s timeout


def test_with_one_thread_waits_hold_no_thread_and_the_awaited_create_is_answered_at_once():
    """A wait is parked (serving/parking.py), not slept: with --threads 1, eight waits open and the create
    they await is still answered at once, and every wait answers as soon as it is journaled."""
    with MockNexus(fixtures=[str(FIXTURES)], port=0, threads=1) as server:
        results = []
        waiters = [_wait_in_thread(server.root, {"match": {"status": 200}, "timeoutMs": 20000}, results)
                   for _ in range(8)]
        assert _until(lambda: server._server.parking.held == 8)
        sent = time.monotonic()
        created = requests.post(f"{server.url}/openmedia/crm-tasks/interactions", headers=KEY, timeout=5,
                                json={"externalId": "awaited"})
        assert_ok(created)
        assert time.monotonic() - sent < 2.0  # not after the waits' 20 s
        for waiter in waiters:
            waiter.join(10)
        assert len(results) == 8 and all(r.status_code == 200 for _, r in results)
        assert all(len(r.headers["X-B3-TraceId"]) == 16 for _, r in results)  # Flask's hooks reach the answer
        assert max(at for at, _ in results) - sent < 2.0
        assert server._server.parking.held == 0


def test_a_reset_keeps_waiters_attached_to_the_same_journal(client, app):
    world = app.extensions["mocknexus"].default
    journal_before = world.journal
    client.post("/__admin/reset")
    assert world.journal is journal_before


def test_vendor_paths_that_match_no_operation_are_journaled_with_operation_null(client):
    assert_error(client.get(f"{CREATE}/some-id/bogus", headers=KEY), 404)
    assert_error(client.delete(f"{CREATE}/some-id", data="why", headers=KEY), 405)
    assert_error(client.get("/elsewhere"), 404)  # not a vendor path: not journaled
    entries = journal(client)
    assert [(e["method"], e["status"], e["operation"], e["body"]) for e in entries] == [
        ("GET", 404, None, None), ("DELETE", 405, None, "why")]
    assert all(set(e) == FIELDS for e in entries)
    assert [e["id"] for e in journal(client, "?status=405")] == [2]
