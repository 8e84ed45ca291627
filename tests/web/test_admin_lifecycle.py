"""The lifecycle timetable (§5.1): steps at their moment on the clock, in order, skipped when they do not fit."""

import statistics
import threading
import time

import pytest

from mocknexus.core.config import ServerConfig
from mocknexus.web.app import create_app
from tests.conftest import BASE, FIXTURES, KEY, assert_error, assert_ok

URL = f"{BASE}/crm-tasks/interactions"
LIFECYCLE = "/__admin/services/crm-tasks/lifecycle"
STEPS = [{"after": 2, "action": "route"}, {"after": 5, "action": "handle", "agent": "agent-7"},
         {"after": 65, "action": "stop", "by": "agent", "reasonSystemName": "Done", "reasonDescription": "Resolved"}]
T0 = "2030-01-01T00:00:00.000Z"


@pytest.fixture
def frozen(client):
    assert client.put("/__admin/clock", json={"now": T0}).status_code == 200
    assert client.put(LIFECYCLE, json={"lifecycle": STEPS}).status_code == 200
    return client


def create(client, **body):
    return assert_ok(client.post(URL, json=body, headers=KEY))


def admin_view(client, interaction_id):
    return next(i for i in client.get("/__admin/interactions").json["interactions"] if i["id"] == interaction_id)


def advance(client, seconds):
    assert client.post("/__admin/clock/advance", json={"seconds": seconds}).status_code == 200


def test_a_frozen_clock_moves_steps_only_when_advanced_and_before_that_call_answers(frozen):
    created = create(frozen)
    get = f"{URL}/{created['id']}"
    advance(frozen, 1.999)
    assert assert_ok(frozen.get(get, headers=KEY))["state"] == "queued"
    advance(frozen, 0.001)
    assert assert_ok(frozen.get(get, headers=KEY))["state"] == "routing"
    advance(frozen, 3)
    assert admin_view(frozen, created["id"])["state"] == "handling"
    assert admin_view(frozen, created["id"])["agent"] == "agent-7"
    advance(frozen, 60)
    assert_error(frozen.get(get, headers=KEY), 404)
    stopped = admin_view(frozen, created["id"])
    assert stopped["stoppedAt"] == "2030-01-01T00:01:05.000Z" and stopped["stoppedBy"] == "agent"
    assert stopped["stopReason"] == {"systemName": "Done", "description": "Resolved"}


def test_one_long_advance_does_every_due_step_in_order_at_its_moment(frozen):
    first, second = create(frozen), create(frozen, externalId="two")
    frozen.put("/__admin/clock", json={"now": "2030-01-01T00:10:00Z"})  # set, not advanced: the same
    for created in (first, second):
        shown = admin_view(frozen, created["id"])
        assert shown["state"] == "stopped" and shown["agent"] == "agent-7"  # handled before it was stopped
        assert shown["stoppedAt"] == "2030-01-01T00:01:05.000Z"


def test_a_step_that_does_not_fit_is_skipped_without_trace(frozen):
    by_client, requeued = create(frozen), create(frozen)
    assert_ok(frozen.post(f"{URL}/{by_client['id']}/stop", headers=KEY))
    frozen.post(f"/__admin/interactions/crm-tasks/{requeued['id']}/handle", json={"agent": "me"})
    advance(frozen, 2)  # route does not fit `handling`: skipped, and the rest stays planned
    assert admin_view(frozen, requeued["id"])["state"] == "handling"
    frozen.post(f"/__admin/interactions/crm-tasks/{requeued['id']}/requeue")
    advance(frozen, 3)  # handle fits `queued`: agent-7 takes it
    assert admin_view(frozen, requeued["id"])["agent"] == "agent-7"
    advance(frozen, 100)
    shown = admin_view(frozen, by_client["id"])
    assert shown["stoppedBy"] == "client" and shown["stoppedAt"] == T0
    assert admin_view(frozen, requeued["id"])["stoppedBy"] == "agent"
    assert frozen.get("/__admin/requests?status=500").json["requests"] == []


def test_it_applies_to_interactions_created_after_it_is_set_only(client):
    client.put("/__admin/clock", json={"now": T0})
    before = create(client)
    client.put(LIFECYCLE, json={"lifecycle": STEPS[:1]})
    after = create(client)
    seeded = client.post("/__admin/interactions", json={"interactions": [{"openMediaService": "crm-tasks"}]})
    advance(client, 10)
    assert admin_view(client, before["id"])["state"] == "queued"
    assert admin_view(client, after["id"])["state"] == "routing"
    assert admin_view(client, seeded.json["interactions"][0]["id"])["state"] == "queued"


def test_get_put_reset_and_the_fixture_lifecycle(tmp_path):
    fixture = tmp_path / "lifecycle.json"
    fixture.write_text('{"services": [{"name": "crm-tasks", "lifecycle": [{"after": 1, "action": "route"}]}]}')
    client = create_app(ServerConfig(fixtures=[str(FIXTURES), str(fixture)])).test_client()
    assert client.get(LIFECYCLE).json == {"lifecycle": [{"after": 1, "action": "route"}]}
    assert client.get("/__admin/services/web-chat/lifecycle").json == {"lifecycle": []}
    assert_error(client.get("/__admin/services/nope/lifecycle"), 404)
    assert_error(client.put("/__admin/services/nope/lifecycle", json={"lifecycle": []}), 404)
    assert client.put(LIFECYCLE, json={"lifecycle": STEPS}).json["lifecycle"][2]["by"] == "agent"
    state = client.get("/__admin/state").json
    assert next(s for s in state["services"] if s["name"] == "crm-tasks")["lifecycle"][1]["agent"] == "agent-7"
    assert client.put("/__admin/state", json=state).status_code == 200  # the export loads back as it is
    assert len(client.get(LIFECYCLE).json["lifecycle"]) == 3
    client.post("/__admin/reset")
    assert client.get(LIFECYCLE).json == {"lifecycle": [{"after": 1, "action": "route"}]}
    assert client.put(LIFECYCLE, json={"lifecycle": []}).json == {"lifecycle": []}


@pytest.mark.parametrize("steps", [
    [{"after": -1, "action": "route"}], [{"after": 1, "action": "dance"}], [{"action": "route"}],
    [{"after": "1", "action": "route"}], [{"after": True, "action": "route"}], [{"after": 1e12, "action": "route"}],
    [{"after": 2, "action": "route"}, {"after": 1, "action": "handle"}],
    [{"after": 1, "action": "route", "agent": "a"}], [{"after": 1, "action": "stop", "by": "client"}],
    [{"after": 1, "action": "update"}], [{"after": 1, "action": "update", "addedProperties": {"State": "x"}}],
    [{"after": 1, "action": "handle", "agent": 7}], [{"after": 1, "action": "route", "extra": 1}],
    [{"after": 1, "action": "route"}] * 101, "route", [1],
])
def test_a_bad_step_is_a_400_and_nothing_changes(client, steps):
    client.put(LIFECYCLE, json={"lifecycle": STEPS})
    assert_error(client.put(LIFECYCLE, json={"lifecycle": steps}), 400)
    assert len(client.get(LIFECYCLE).json["lifecycle"]) == 3


def test_a_step_past_the_last_date_is_never_due_and_no_500(client):
    client.put("/__admin/clock", json={"now": "9999-12-29T00:00:00Z"})
    client.put(LIFECYCLE, json={"lifecycle": [{"after": 1, "action": "route"}, {"after": 1e9, "action": "stop"}]})
    created = create(client)
    advance(client, 1)
    assert admin_view(client, created["id"])["state"] == "routing"


def _lag(app, client) -> float:
    """Seconds between a step's moment and when it was done, seen in the store itself: no request comes in."""
    created = create(client)
    store = app.extensions["mocknexus"].default.store
    interaction = next(i for i in store.all() if i.id == created["id"])
    moment = interaction.submitted_at.timestamp() + 0.2  # a running clock with no offset: real time
    while interaction.state == "queued" and time.time() < moment + 5:
        time.sleep(0.002)
    return time.time() - moment


def test_a_running_clock_does_a_due_step_within_100_ms_with_no_request(app, client):
    client.put(LIFECYCLE, json={"lifecycle": [{"after": 0.2, "action": "route"}]})
    lags = [_lag(app, client) for _ in range(5)]
    assert statistics.median(lags) < 0.1, lags
    assert all(lag > -0.01 for lag in lags), lags  # not before its moment


def test_one_scheduler_thread_for_every_namespace(app, client):
    for n in range(5):
        ns = f"/__ns/t{n}"
        client.put(ns + LIFECYCLE, json={"lifecycle": [{"after": 60, "action": "route"}]})
        assert_ok(client.post(ns + URL, json={}, headers=KEY))
    assert [t.name for t in threading.enumerate()].count("mocknexus-lifecycle") == 1
