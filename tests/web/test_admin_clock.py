"""§2.3: the clock is frozen, advanced and resumed through the admin API, and every server time reads it."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import BASE, KEY, assert_error, assert_ok

CREATE = f"{BASE}/crm-tasks/interactions"


def parse(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_get_clock_runs_in_real_time_at_start(client):
    clock = client.get("/__admin/clock").json
    assert clock["frozen"] is False
    assert abs(parse(clock["now"]) - datetime.now(UTC)) < timedelta(seconds=60)


def test_put_now_freezes_and_every_written_time_reads_the_clock(client):
    frozen = client.put("/__admin/clock", json={"now": "2030-01-02T03:04:05.678+01:00"}).json
    assert frozen == {"now": "2030-01-02T02:04:05.678Z", "frozen": True}
    created = assert_ok(client.post(CREATE, json={"externalId": "c1"}, headers=KEY))
    assert created["receivedAt"] == created["submittedAt"] == "2030-01-02T02:04:05.678Z"
    explicit = assert_ok(client.post(CREATE, json={"externalId": "c2", "receivedAt": "2020-01-01T00:00:00Z"},
                                     headers=KEY))
    assert explicit["receivedAt"] == "2020-01-01T00:00:00.000Z" and explicit["submittedAt"] == frozen["now"]
    assert client.post("/__admin/clock/advance", json={"seconds": 90}).json["now"] == "2030-01-02T02:05:35.678Z"
    stopped = assert_ok(client.post(f"{CREATE}/ext_c1/stop", headers=KEY))
    assert stopped["stoppedAt"] == "2030-01-02T02:05:35.678Z"
    assert client.get("/__admin/requests").json["requests"][-1]["time"] == "2030-01-02T02:05:35.678Z"


def test_advance_accepts_fractions_and_negative_seconds(client):
    client.put("/__admin/clock", json={"now": "2030-01-01T00:00:00Z"})
    assert client.post("/__admin/clock/advance", json={"seconds": 0.25}).json["now"] == "2030-01-01T00:00:00.250Z"
    assert client.post("/__admin/clock/advance", json={"seconds": -3600}).json["now"] == "2029-12-31T23:00:00.250Z"


def test_advance_while_running_shifts_real_time(client):
    shifted = client.post("/__admin/clock/advance", json={"seconds": 86400}).json
    assert shifted["frozen"] is False
    assert abs(parse(shifted["now"]) - datetime.now(UTC) - timedelta(days=1)) < timedelta(seconds=60)


def test_frozen_false_runs_from_real_time_again(client):
    client.put("/__admin/clock", json={"now": "2030-01-01T00:00:00Z"})
    resumed = client.put("/__admin/clock", json={"frozen": False}).json
    assert resumed["frozen"] is False and abs(parse(resumed["now"]) - datetime.now(UTC)) < timedelta(seconds=60)


def test_now_with_frozen_false_runs_on_from_that_moment(client):
    running = client.put("/__admin/clock", json={"now": "2031-06-01T00:00:00Z", "frozen": False}).json
    assert running["frozen"] is False and running["now"].startswith("2031-06-01T00:00:0")


def test_frozen_true_freezes_where_it_is(client):
    frozen = client.put("/__admin/clock", json={"frozen": True}).json
    assert frozen["frozen"] is True and client.get("/__admin/clock").json == frozen


def test_reset_resumes_real_time(client):
    client.put("/__admin/clock", json={"now": "2030-01-01T00:00:00Z"})
    client.post("/__admin/reset")
    assert client.get("/__admin/clock").json["frozen"] is False


def test_an_api_key_expires_on_the_virtual_clock(client):
    client.put("/__admin/state", json={"services": ["crm-tasks"], "apiKeys": [
        {"key": "soon", "expiresAt": "2030-01-01T00:00:00Z"}]})
    soon = {"x-api-key": "soon"}
    client.put("/__admin/clock", json={"now": "2029-12-31T23:59:59Z"})
    assert_ok(client.post(CREATE, json={}, headers=soon))
    client.post("/__admin/clock/advance", json={"seconds": 1})
    assert "expired" in assert_error(client.post(CREATE, json={}, headers=soon), 401)["message"]
    client.post("/__admin/clock/advance", json={"seconds": -1})
    assert_ok(client.post(CREATE, json={}, headers=soon))


@pytest.mark.parametrize("path, method, body, field", [
    ("/__admin/clock", "put", {}, "body"),
    ("/__admin/clock", "put", {"now": "tomorrow"}, "now"),
    ("/__admin/clock", "put", {"now": 1234567890}, "now"),
    ("/__admin/clock", "put", {"frozen": "no"}, "frozen"),
    ("/__admin/clock", "put", {"now": "2030-01-01T00:00:00Z", "speed": 2}, "speed"),
    ("/__admin/clock/advance", "post", {}, "seconds"),
    ("/__admin/clock/advance", "post", {"seconds": "60"}, "seconds"),
    ("/__admin/clock/advance", "post", {"seconds": True}, "seconds"),
    ("/__admin/clock/advance", "post", {"seconds": 1e300}, "seconds"),
    ("/__admin/clock/advance", "post", {"minutes": 1}, "minutes"),
])
def test_bad_clock_bodies_are_400_and_change_nothing(client, path, method, body, field):
    client.put("/__admin/clock", json={"now": "2030-01-01T00:00:00Z"})
    status = assert_error(getattr(client, method)(path, json=body), 400)
    assert field in status["details"]
    assert client.get("/__admin/clock").json == {"now": "2030-01-01T00:00:00.000Z", "frozen": True}


def test_advance_out_of_the_date_range_is_a_400(client):
    client.put("/__admin/clock", json={"now": "9999-12-29T00:00:00Z"})
    assert_error(client.post("/__admin/clock/advance", json={"seconds": 86400 * 2}), 400)


def test_a_clock_body_must_be_a_json_object(client):
    assert_error(client.put("/__admin/clock", data="now", content_type="application/json"), 400)
    assert_error(client.post("/__admin/clock/advance"), 400)


def test_seeded_and_put_interactions_default_their_times_to_the_clock(client):
    client.put("/__admin/clock", json={"now": "2030-01-01T00:00:00Z"})
    body = {"interactions": [{"openMediaService": "crm-tasks"}, {"openMediaService": "crm-tasks", "state": "stopped"}]}
    queued, stopped = client.post("/__admin/interactions", json=body).json["interactions"]
    assert queued["receivedAt"] == queued["submittedAt"] == stopped["stoppedAt"] == "2030-01-01T00:00:00.000Z"
    state = client.put("/__admin/state", json={"services": ["s"], "interactions": [{"openMediaService": "s"}]}).json
    assert state["interactions"][0]["receivedAt"] == "2030-01-01T00:00:00.000Z"
