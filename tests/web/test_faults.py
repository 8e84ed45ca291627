"""Fault rules (§2.4): the registry and rule semantics, the rule schema, the admin routes and the request hooks
(Flask test client; the real-socket behaviour of every action is in test_fault_actions.py)."""

import re

import pytest
from marshmallow import ValidationError

from mocknexus.core.config import ServerConfig
from mocknexus.schemas.faults import header_action
from mocknexus.state.faults import FaultAction, FaultRegistry
from mocknexus.web.app import create_app
from mocknexus.web.inject import GARBAGE, SLEEP
from tests.conftest import BASE, FIXTURES, KEY, assert_error, assert_ok

CREATE = f"{BASE}/crm-tasks/interactions"
TICKET = f"{BASE}/crm-tasks/interactions/ext_ticket-42"
FACTS = {"operation": "createInteraction", "method": "POST", "path": CREATE, "service": "crm-tasks",
         "externalId": "x"}


@pytest.fixture
def sleeps(app):
    """The sleep seam: delays are recorded, not waited."""
    calls = []
    app.extensions[SLEEP] = calls.append
    return calls


def add(client, rule, prefix=""):
    response = client.post(f"{prefix}/__admin/faults", json=rule)
    assert response.status_code == 200, response.json
    return response.json


def rules(client, prefix=""):
    return client.get(f"{prefix}/__admin/faults").json["faults"]


def pattern(registry: FaultRegistry, n: int) -> str:
    return "".join("x" if registry.match(FACTS) else "." for _ in range(n))


# -- registry and rules (no Flask) ------------------------------------------------------------------

def test_registry_without_rules_matches_nothing():
    assert FaultRegistry().match(FACTS) is None


def test_after_lets_the_first_matches_through_and_times_limits_firing():
    registry = FaultRegistry()
    rule = registry.add({}, FaultAction(status=503), after=2, times=3)
    assert pattern(registry, 8) == "..xxx..."
    assert (rule.matched, rule.fired) == (8, 3)


def test_match_keys_must_all_hold():
    registry = FaultRegistry()
    registry.add({"operation": "createInteraction", "method": "POST", "service": "crm-tasks",
                  "path": re.compile(r"/crm-tasks/"), "externalId": "x"}, FaultAction(status=500))
    assert registry.match(FACTS).rule_id == "f1"
    for key, other in [("operation", "getInteraction"), ("method", "GET"), ("service", "web-chat"),
                       ("path", "/nexus/v3/openmedia/web-chat/interactions"), ("externalId", "y")]:
        assert registry.match({**FACTS, key: other}) is None, key


def test_first_rule_that_fires_wins_and_later_rules_do_not_see_the_request():
    registry = FaultRegistry()
    first = registry.add({}, FaultAction(status=503), times=1)
    second = registry.add({}, FaultAction(status=500))
    assert [registry.match(FACTS).rule_id for _ in range(3)] == ["f1", "f2", "f2"]
    assert (first.matched, first.fired, second.matched, second.fired) == (3, 1, 2, 2)


def test_seeded_probability_repeats_and_unseeded_does_not():
    def run(seed):
        registry = FaultRegistry()
        registry.add({}, FaultAction(status=503), probability=0.5, seed=seed)
        return pattern(registry, 64)

    seeded = run(7)
    assert seeded == run(7) and 10 < seeded.count("x") < 54
    assert seeded != run(8)
    assert len({run(None) for _ in range(3)}) > 1  # 3 equal 64-draw patterns: chance 2**-128


def test_delay_range_draws_within_bounds_and_repeats_with_a_seed():
    def delays(seed):
        registry = FaultRegistry()
        registry.add({}, FaultAction(delay_ms=(100, 200)), seed=seed)
        return [registry.match(FACTS).delay for _ in range(20)]

    drawn = delays(3)
    assert all(0.1 <= d <= 0.2 for d in drawn) and len(set(drawn)) > 1
    assert drawn == delays(3)


def test_remove_and_clear():
    registry = FaultRegistry()
    registry.add({}, FaultAction(status=503))
    registry.add({}, FaultAction(status=500))
    assert registry.remove("f1") and not registry.remove("f1")
    assert [r.id for r in registry.rules] == ["f2"]
    assert registry.clear() == 1 and registry.match(FACTS) is None


def test_counters_are_exact_under_concurrency():
    from concurrent.futures import ThreadPoolExecutor

    registry = FaultRegistry()
    rule = registry.add({}, FaultAction(status=503), times=250)
    with ThreadPoolExecutor(8) as pool:
        fired = sum(pool.map(lambda _: registry.match(FACTS) is not None, range(1000)))
    assert fired == rule.fired == 250 and rule.matched == 1000


# -- the schema --------------------------------------------------------------------------------------

@pytest.mark.parametrize("rule, field", [
    ({"action": {}}, "action"),
    ({}, "action"),
    ({"action": {"status": 99}}, "action.status"),
    ({"action": {"status": True}}, "action.status"),
    ({"action": {"status": "503"}}, "action.status"),
    ({"action": {"delay_ms": -1}}, "action.delay_ms"),
    ({"action": {"delay_ms": [300, 100]}}, "action.delay_ms"),
    ({"action": {"delay_ms": [1, 2, 3]}}, "action.delay_ms"),
    ({"action": {"delay_ms": "soon"}}, "action.delay_ms"),
    ({"action": {"kind": "explode"}}, "action.kind"),
    ({"action": {"kind": "reset", "status": 503}}, "action.kind"),
    ({"action": {"delay_ms": 5, "body": {"a": 1}}}, "action.body"),
    ({"action": {"kind": "garbage", "status": 200, "body": "x"}}, "action.body"),
    ({"action": {"status": 503, "headers": {"Content-Length": "5"}}}, "action.headers"),
    ({"action": {"status": 503, "headers": {"X-A": "a\r\nb"}}}, "action.headers"),
    ({"action": {"status": 503, "apply": "yes"}}, "action.apply"),
    ({"action": {"status": 503}, "match": {"operation": "deleteInteraction"}}, "match.operation"),
    ({"action": {"status": 503}, "match": {"method": "DELETE"}}, "match.method"),
    ({"action": {"status": 503}, "match": {"path": "(unclosed"}}, "match.path"),
    ({"action": {"status": 503}, "match": {"externalID": "x"}}, "match.externalID"),
    ({"action": {"status": 503}, "times": 0}, "times"),
    ({"action": {"status": 503}, "after": -1}, "after"),
    ({"action": {"status": 503}, "probability": 1.5}, "probability"),
    ({"action": {"status": 503}, "seed": "abc"}, "seed"),
])
def test_a_bad_rule_is_a_400_with_details_and_nothing_is_added(client, rule, field):
    status = assert_error(client.post("/__admin/faults", json=rule), 400)
    assert field in status["details"], status
    assert rules(client) == []


def test_a_rule_read_from_the_server_can_be_posted_back_its_id_and_counts_ignored(client):
    add(client, {"match": {"operation": "getInteraction"}, "action": {"status": 503}, "times": 2})
    client.get("/nexus/v3/openmedia/crm-tasks/interactions/nope", headers={"x-api-key": "k"})
    (read,) = rules(client)
    assert (read["id"], read["matched"], read["fired"]) == ("f1", 1, 1)
    copy = add(client, read)
    assert (copy["id"], copy["matched"], copy["fired"]) == ("f2", 0, 0)
    assert {k: v for k, v in copy.items() if k not in ("id", "matched", "fired")} == \
        {k: v for k, v in read.items() if k not in ("id", "matched", "fired")}


@pytest.mark.parametrize("body", ["", "[]", "not json"])
def test_a_rule_must_be_a_json_object(client, body):
    assert_error(client.post("/__admin/faults", data=body, content_type="application/json"), 400)
    assert rules(client) == []


def test_a_rule_is_answered_with_its_id_defaults_and_counts(client):
    rule = add(client, {"match": {"method": "post", "path": "^/nexus"},
                        "action": {"status": 503, "delay_ms": [10, 20]}, "times": 2})
    assert rule == {"id": "f1", "match": {"method": "POST", "path": "^/nexus"},
                    "action": {"status": 503, "body": None, "headers": {}, "delay_ms": [10, 20], "kind": None,
                               "apply": False},
                    "times": 2, "after": 0, "probability": 1.0, "seed": None, "matched": 0, "fired": 0}
    assert rules(client) == [rule]


def test_header_action_parses_the_short_forms():
    assert header_action("503") == FaultAction(status=503)
    assert header_action("delay=250") == FaultAction(delay_ms=250)
    assert header_action(" Reset ") == FaultAction(kind="reset")
    assert header_action("503, delay=50") == FaultAction(status=503, delay_ms=50)
    for bad in ["banana", "delay=soon", "42", "reset,503"]:
        with pytest.raises(ValidationError):
            header_action(bad)


# -- admin routes ---------------------------------------------------------------------------------

def test_delete_one_and_all(client):
    for status in (500, 502, 503):
        add(client, {"action": {"status": status}})
    assert client.delete("/__admin/faults/f2").json == {"status": "ok", "deleted": 1}
    assert [r["id"] for r in rules(client)] == ["f1", "f3"]
    assert_error(client.delete("/__admin/faults/f2"), 404)
    assert client.delete("/__admin/faults").json == {"status": "ok", "deleted": 2}
    assert rules(client) == []


def test_reset_removes_the_rules(client):
    add(client, {"action": {"status": 503}})
    client.post("/__admin/reset")
    assert rules(client) == []
    assert_ok(client.get(TICKET, headers=KEY))


def test_rules_are_per_namespace(client):
    add(client, {"action": {"status": 503}}, prefix="/__ns/a")
    assert_error(client.get(f"/__ns/a{TICKET}", headers=KEY), 503)
    assert_ok(client.get(f"/__ns/b{TICKET}", headers=KEY))
    assert_ok(client.get(TICKET, headers=KEY))
    assert rules(client) == [] and len(rules(client, "/__ns/a")) == 1


def test_path_is_matched_without_the_namespace_prefix(client):
    add(client, {"match": {"path": "^/nexus/v3/openmedia/crm-tasks/"}, "action": {"status": 502}}, prefix="/__ns/a")
    assert_error(client.get(f"/__ns/a{TICKET}", headers=KEY), 502)


def test_admin_routes_are_never_faulted(client):
    add(client, {"action": {"status": 503}})
    add(client, {"match": {"path": "admin"}, "action": {"status": 500}})
    assert client.get("/__admin/health").status_code == 200
    assert client.get("/__admin/requests").status_code == 200
    assert [r["matched"] for r in rules(client)] == [0, 0]


# -- the hooks: what a faulted request answers -----------------------------------------------------

def test_status_fault_answers_the_envelope_and_names_the_rule(client):
    add(client, {"match": {"operation": "getInteractionByExternalId"},
                 "action": {"status": 503, "headers": {"Retry-After": "1"}}, "times": 2})
    for _ in range(2):
        response = client.get(TICKET, headers=KEY)
        assert assert_error(response, 503)["message"] == "Service Unavailable"
        assert response.headers["X-Mocknexus-Fault"] == "f1"
        assert response.headers["Retry-After"] == "1"
    response = client.get(TICKET, headers=KEY)
    assert_ok(response)
    assert "X-Mocknexus-Fault" not in response.headers
    journal = client.get("/__admin/requests").json["requests"]
    assert [(r["status"], r["fault"]) for r in journal] == [(503, "f1"), (503, "f1"), (200, None)]
    assert rules(client)[0]["fired"] == 2


def test_custom_body_json_or_text(client):
    add(client, {"match": {"method": "GET"}, "action": {"status": 429, "body": {"error": "slow down"}}})
    add(client, {"action": {"status": 502, "body": "<html>Bad gateway</html>",
                            "headers": {"Content-Type": "text/html"}}})
    response = client.get(TICKET, headers=KEY)
    assert (response.status_code, response.json) == (429, {"error": "slow down"})
    response = client.post(CREATE, json={}, headers=KEY)
    assert response.status_code == 502 and response.headers["Content-Type"] == "text/html"
    assert response.get_data() == b"<html>Bad gateway</html>"


def test_a_fault_without_apply_leaves_the_state_alone(client):
    add(client, {"action": {"status": 503}, "times": 1})
    assert_error(client.post(CREATE, json={"externalId": "fresh"}, headers=KEY), 503)
    assert_ok(client.post(CREATE, json={"externalId": "fresh"}, headers=KEY))


def test_apply_runs_the_operation_then_answers_the_fault(client):
    add(client, {"match": {"operation": "createInteraction"}, "action": {"status": 504, "apply": True},
                 "times": 1})
    assert_error(client.post(CREATE, json={"externalId": "lost"}, headers=KEY), 504)
    assert_error(client.post(CREATE, json={"externalId": "lost"}, headers=KEY), 409)
    assert assert_ok(client.get(f"{CREATE}/ext_lost", headers=KEY))["externalId"] == "lost"


def test_match_on_external_id_from_body_path_and_stored_interaction(client):
    add(client, {"match": {"externalId": "ticket-42"}, "action": {"status": 500}})
    assert_error(client.post(CREATE, json={"externalId": "ticket-42"}, headers=KEY), 500)
    assert_error(client.get(TICKET, headers=KEY), 500)
    assert_error(client.get(f"{CREATE}/0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10", headers=KEY), 500)
    assert_ok(client.post(CREATE, json={"externalId": "other"}, headers=KEY))
    assert_ok(client.get(f"{CREATE}/ext_chat-7731".replace("crm-tasks", "web-chat"), headers=KEY))
    assert_error(client.post(CREATE, data="not json", headers=KEY), 400)  # the view still judges the body


def test_faults_come_after_auth_and_a_rejected_request_does_not_use_them_up(client):
    add(client, {"action": {"status": 503}, "times": 1})
    assert_error(client.get(TICKET), 401)
    assert_error(client.get(TICKET, headers=KEY), 503)
    assert rules(client)[0]["matched"] == 1


def test_delay_alone_delays_the_real_answer(client, sleeps):
    add(client, {"action": {"delay_ms": 250}})
    response = client.get(TICKET, headers=KEY)
    assert assert_ok(response)["externalId"] == "ticket-42"
    assert response.headers["X-Mocknexus-Fault"] == "f1"
    assert sleeps == [0.25]


def test_delay_then_status(client, sleeps):
    add(client, {"action": {"delay_ms": [100, 300], "status": 503}})
    assert_error(client.get(TICKET, headers=KEY), 503)
    assert len(sleeps) == 1 and 0.1 <= sleeps[0] <= 0.3


def test_apply_with_delay_waits_after_the_write(client, app):
    order = []
    app.extensions[SLEEP] = lambda s: order.append(("sleep", app.extensions["mocknexus"].default.store.live_count()))
    before = app.extensions["mocknexus"].default.store.live_count()
    add(client, {"action": {"delay_ms": 50, "apply": True}})
    assert_ok(client.post(CREATE, json={"externalId": "slow"}, headers=KEY))
    assert order == [("sleep", before + 1)]


def test_garbage_is_a_200_whose_body_is_not_json(client):
    add(client, {"action": {"kind": "garbage"}})
    response = client.get(TICKET, headers=KEY)
    assert response.status_code == 200 and response.get_data() == GARBAGE
    assert response.headers["X-Mocknexus-Fault"] == "f1"
    with pytest.raises(ValueError):
        response.get_data().decode()


@pytest.mark.parametrize("kind", ["reset", "truncate"])
def test_network_kinds_without_a_socket_answer_a_clear_500(client, kind):
    add(client, {"action": {"kind": kind, "apply": True}})
    response = client.post(CREATE, json={"externalId": "no-socket"}, headers=KEY)
    message = assert_error(response, 500)["message"]
    assert kind in message and "real connection" in message and "test client" in message
    assert response.headers["X-Mocknexus-Fault"] == "f1"
    assert client.get("/__admin/requests").json["requests"][-1]["fault"] == "f1"
    client.delete("/__admin/faults")
    assert_ok(client.post(CREATE, json={"externalId": "no-socket"}, headers=KEY))  # nothing was applied


# -- the X-Mocknexus-Fault request header ------------------------------------------------------------

def test_the_header_is_ignored_without_the_flag(client):
    response = client.get(TICKET, headers={**KEY, "X-Mocknexus-Fault": "503"})
    assert_ok(response)
    assert "X-Mocknexus-Fault" not in response.headers


@pytest.fixture
def header_client():
    app = create_app(ServerConfig(fixtures=[str(FIXTURES)], allow_header_faults=True))
    app.extensions[SLEEP] = lambda seconds: None
    return app.test_client()


def test_with_the_flag_the_header_faults_that_one_request(header_client):
    response = header_client.get(TICKET, headers={**KEY, "X-Mocknexus-Fault": "503"})
    assert_error(response, 503)
    assert response.headers["X-Mocknexus-Fault"] == "header"
    assert header_client.get("/__admin/requests").json["requests"][-1]["fault"] == "header"
    assert_ok(header_client.get(TICKET, headers=KEY))
    assert_ok(header_client.get(TICKET, headers={**KEY, "X-Mocknexus-Fault": "delay=250"}))
    assert header_client.get(TICKET, headers={**KEY, "X-Mocknexus-Fault": "garbage"}).get_data() == GARBAGE
    assert_error(header_client.get(TICKET, headers={**KEY, "X-Mocknexus-Fault": "reset"}), 500)


def test_a_bad_header_fault_is_a_400(header_client):
    status = assert_error(header_client.get(TICKET, headers={**KEY, "X-Mocknexus-Fault": "sometimes"}), 400)
    assert "X-Mocknexus-Fault" in status["details"]


def test_the_header_does_not_fault_admin_routes(header_client):
    assert header_client.get("/__admin/health", headers={"X-Mocknexus-Fault": "503"}).status_code == 200


def test_with_no_rules_a_request_costs_one_check_and_nothing_else(client, monkeypatch):
    """The fast path: no rule, no header faults → inject.choose (facts, locks, header parsing) never runs."""
    calls = []
    monkeypatch.setattr("mocknexus.web.inject.choose", calls.append)  # records the call, answers "no fault"
    assert_ok(client.get(TICKET, headers=KEY))
    assert calls == []
    add(client, {"match": {"service": "nowhere"}, "action": {"status": 503}})
    assert_ok(client.get(TICKET, headers=KEY))
    assert len(calls) == 1
