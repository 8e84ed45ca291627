"""The interactions webhook end to end (§6): real POSTs to a loopback receiver, signed, traced, in order, retried."""

import hashlib
import hmac
import socket
import statistics
import threading
import time

import pytest
import requests

from mocknexus.receiver import WebhookReceiver
from mocknexus.serving.server import MockNexus
from tests.conftest import FIXTURES, KEY

SERVICE = "/openmedia/crm-tasks/interactions"


@pytest.fixture
def nexus():
    with MockNexus(fixtures=[str(FIXTURES)], port=0) as server:
        yield server


@pytest.fixture
def receiver():
    with WebhookReceiver() as rx:
        yield rx


def register(nexus, url, **options):
    answer = requests.post(f"{nexus.root}/__admin/webhooks", json={"url": url, **options}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def create(nexus, trace=None, **body):
    headers = {**KEY, **({"X-B3-TraceId": trace} if trace else {})}
    answer = requests.post(nexus.url + SERVICE, json=body, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer


def deliveries(nexus, count, **match):
    answer = requests.post(f"{nexus.root}/__admin/webhooks/deliveries/wait",
                           json={"match": match, "count": count, "timeoutMs": 20000}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["deliveries"]


def test_client_and_agent_stops_post_signed_traced_bodies_in_order(nexus, receiver):
    hook = register(nexus, receiver.url, secret="s3cret")
    first = create(nexus, trace="trace-create-1")
    iid = first.json()["data"]["id"]
    stopped = requests.post(f"{nexus.url}{SERVICE}/{iid}/stop", headers=KEY, timeout=10)
    second = create(nexus, externalId="by-agent").json()["data"]
    requests.post(f"{nexus.root}/__admin/interactions/crm-tasks/ext_by-agent/stop", json={"by": "workflow"},
                  timeout=10)
    got = receiver.wait_for(4, timeout=20)
    assert [(r.event, r.entity["id"]) for r in got] == [
        ("STARTED", iid), ("FINISHED", iid), ("STARTED", second["id"]), ("FINISHED", second["id"])]
    for r in got:
        assert r.headers["Content-Type"] == "application/json"
        expected = "sha1=" + hmac.new(b"s3cret", r.body, hashlib.sha1).hexdigest()
        assert hmac.compare_digest(r.headers["X-Hub-Signature"], expected)
        body = r.json
        assert set(body) == {"operationId", "data"} and len(body["operationId"]) == 36
        assert [set(e) for e in body["data"]["entities"]] == [{"event", "entity"}]
    assert got[0].headers["X-B3-TraceId"] == "trace-create-1" == first.headers["X-B3-TraceId"]
    assert got[1].headers["X-B3-TraceId"] == stopped.headers["X-B3-TraceId"]  # generated, and the same
    assert got[0].entity["state"] == "queued" and got[1].entity["state"] == "stopped"
    assert got[1].entity["stoppedBy"] == "client" and got[3].entity["stoppedBy"] == "workflow"
    assert got[3].headers["X-B3-TraceId"] not in {r.headers["X-B3-TraceId"] for r in got[:3]}
    assert got[0].entity == first.json()["data"]  # the interaction as the vendor API shows it
    records = deliveries(nexus, 4, state="delivered", webhook=hook["id"])
    assert [d["event"] for d in records] == ["STARTED", "FINISHED", "STARTED", "FINISHED"]
    assert records[0]["body"] == got[0].json and records[0]["interactionId"] == iid
    assert [len(d["attempts"]) for d in records] == [1, 1, 1, 1] and records[0]["attempts"][0]["status"] == 200


def test_events_and_services_filter_what_a_webhook_hears(nexus, receiver):
    register(nexus, receiver.url, events=["FINISHED"], services=["web-chat"])
    create(nexus)
    chat = requests.post(nexus.url + "/openmedia/web-chat/interactions", json={}, headers=KEY, timeout=10).json()
    requests.post(f"{nexus.url}/openmedia/web-chat/interactions/{chat['data']['id']}/stop", headers=KEY, timeout=10)
    got = receiver.wait_for(1)
    time.sleep(0.3)  # anything else would have come by now
    assert [(r.event, r.entity["openMediaService"]) for r in receiver.received] == [("FINISHED", "web-chat")]
    assert got


def test_503_twice_then_200_is_one_delivery_with_three_attempts(nexus):
    with WebhookReceiver(statuses=[503, 503]) as rx:
        register(nexus, rx.url, retryDelayMs=50)
        create(nexus)
        [record] = deliveries(nexus, 1, state="delivered")
    assert [a["status"] for a in record["attempts"]] == [503, 503, 200]
    assert len({r.body for r in rx.received}) == 1 and len(rx.received) == 3  # the same body each time


def test_a_refused_port_fails_after_one_plus_retries_attempts(nexus):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        register(nexus, f"http://127.0.0.1:{holder.getsockname()[1]}/hook", retries=2, retryDelayMs=10)
        create(nexus)
        [record] = deliveries(nexus, 1, state="failed")
    assert len(record["attempts"]) == 3
    assert all(a["status"] is None and a["error"] for a in record["attempts"])


def test_a_receiver_that_never_answers_times_out_and_fails(nexus):
    with WebhookReceiver(delay=3) as rx:
        register(nexus, rx.url, retries=1, retryDelayMs=10, timeoutMs=200)
        create(nexus)
        [record] = deliveries(nexus, 1, state="failed")
    assert len(record["attempts"]) == 2
    assert all(a["status"] is None and "200 ms" in a["error"] for a in record["attempts"])
    assert all(150 <= a["durationMs"] < 2500 for a in record["attempts"])


def test_the_next_post_waits_for_the_one_before(nexus):
    with WebhookReceiver(statuses=[503], delay=0.05) as rx:
        register(nexus, rx.url, retryDelayMs=300)
        ids = [create(nexus).json()["data"]["id"] for _ in range(3)]
        rx.wait_for(4, timeout=20)
    assert [r.entity["id"] for r in rx.received] == [ids[0], *ids]  # the retry of the first before the second


def test_a_slow_receiver_does_not_slow_the_vendor_answer(nexus):
    with WebhookReceiver(delay=5) as rx:
        register(nexus, rx.url)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            create(nexus)
            times.append(time.perf_counter() - started)
        assert statistics.median(times) < 0.5, times
        assert rx.received  # the first one did reach it (and is being answered slowly)


def test_a_timetable_stop_is_a_finished_delivery(nexus, receiver):
    root = nexus.root
    requests.put(f"{root}/__admin/clock", json={"now": "2030-01-01T00:00:00Z"}, timeout=10)
    requests.put(f"{root}/__admin/services/crm-tasks/lifecycle", timeout=10, json={"lifecycle": [
        {"after": 2, "action": "route"}, {"after": 5, "action": "handle", "agent": "agent-7"},
        {"after": 65, "action": "stop", "by": "agent"}]})
    register(nexus, receiver.url)
    iid = create(nexus).json()["data"]["id"]
    for seconds in (2, 3, 60):
        requests.post(f"{root}/__admin/clock/advance", json={"seconds": seconds}, timeout=10)
    assert requests.get(f"{nexus.url}{SERVICE}/{iid}", headers=KEY, timeout=10).status_code == 404
    [finished] = deliveries(nexus, 1, event="FINISHED", state="delivered")
    entity = finished["body"]["data"]["entities"][0]["entity"]
    assert entity["stoppedBy"] == "agent" and entity["stoppedAt"] == "2030-01-01T00:01:05.000Z"


def test_nothing_is_sent_after_stop_and_pending_ones_are_counted(capfd):
    with WebhookReceiver(delay=0.5) as rx:
        server = MockNexus(fixtures=[str(FIXTURES)], port=0).start()
        register(server, rx.url)
        for _ in range(4):
            create(server)
        rx.wait_for(1)
        server.stop()
        stopped_with = len(rx.received)
        time.sleep(1.5)
        assert len(rx.received) == stopped_with == 1
    assert "3 pending webhook deliveries dropped at shutdown" in capfd.readouterr().err


def test_a_big_body_is_sent_whole_and_kept_truncated(nexus, receiver):
    register(nexus, receiver.url, events=["STARTED"])
    create(nexus, userData={"Notes": "x" * 100_000})
    [record] = deliveries(nexus, 1, state="delivered")
    [got] = receiver.received
    assert got.entity["userData"]["Notes"] == "x" * 100_000
    assert record["body"] == {"truncated": True, "bytes": len(got.body), "head": got.body[:1024].decode()}


def test_dropping_a_namespace_stops_its_deliveries(nexus):
    ns = f"{nexus.root}/__ns/going"
    with WebhookReceiver(delay=0.3) as rx:
        requests.post(f"{ns}/__admin/webhooks", json={"url": rx.url}, timeout=10)
        for _ in range(4):
            requests.post(f"{ns}/nexus/v3{SERVICE}", json={}, headers=KEY, timeout=10)
        rx.wait_for(1)
        requests.delete(f"{nexus.root}/__admin/namespaces/going", timeout=10)
        time.sleep(1.2)
        assert len(rx.received) == 1


def test_with_one_thread_delivery_waits_hold_no_thread_and_answer_when_delivered():
    """A delivery wait is parked (serving/parking.py), not slept: with --threads 1, eight waits open, the create
    whose STARTED they await is answered at once, and each wait answers as soon as the delivery is made."""
    with WebhookReceiver() as receiver, MockNexus(fixtures=[str(FIXTURES)], port=0, threads=1) as server:
        assert requests.post(f"{server.root}/__admin/webhooks", json={"url": receiver.url}, timeout=5).ok
        results = []

        def wait():
            body = {"match": {"event": "STARTED", "state": "delivered"}, "timeoutMs": 20000}
            response = requests.post(f"{server.root}/__admin/webhooks/deliveries/wait", json=body, timeout=30)
            results.append((time.monotonic(), response))

        waiters = [threading.Thread(target=wait) for _ in range(8)]
        for waiter in waiters:
            waiter.start()
        deadline = time.monotonic() + 10
        while server._server.parking.held < 8 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server._server.parking.held == 8
        sent = time.monotonic()
        created = requests.post(f"{server.url}/openmedia/crm-tasks/interactions", headers=KEY, timeout=5, json={})
        assert created.status_code == 200 and time.monotonic() - sent < 2.0  # not after the waits' 20 s
        for waiter in waiters:
            waiter.join(10)
        assert len(results) == 8 and all(r.status_code == 200 for _, r in results)
        assert all(r.json()["deliveries"][0]["interactionId"] == created.json()["data"]["id"] for _, r in results)
        assert max(at for at, _ in results) - sent < 3.0
        assert server._server.parking.held == 0
