"""Contract §9 edges through a real server: the clock's end of time, and 1000 fault rules per namespace."""

import time

import pytest
import requests

from mocknexus.serving.server import MockNexus
from tests.conftest import FIXTURES, assert_error

BASE = "/nexus/v3/openmedia/crm-tasks/interactions"
KEY = {"x-api-key": "k"}


@pytest.fixture(scope="module")
def server():
    with MockNexus(fixtures=[str(FIXTURES)], port=0) as nexus:
        yield nexus
        assert not nexus.errors, nexus.errors



def envelope(response, status: int) -> str:
    return assert_error(response, status)["message"]


@pytest.mark.parametrize("body", [{"now": "9999-12-30T00:00:00.001Z"}, {"now": "9999-12-31T23:59:59Z"},
                                  {"now": "9999-12-31T23:59:59Z", "frozen": False}])
def test_setting_the_clock_after_9999_12_30_is_a_400_and_changes_nothing(ns, body):
    before = requests.get(ns + "/__admin/clock", timeout=10).json()
    assert "cannot go past 9999-12-30T00:00:00.000Z" in envelope(requests.put(ns + "/__admin/clock", json=body,
                                                                             timeout=10), 400)
    after = requests.get(ns + "/__admin/clock", timeout=10).json()
    assert after["frozen"] == before["frozen"] is False and after["now"][:4] == before["now"][:4]


@pytest.mark.parametrize("frozen", [True, False])
def test_advancing_past_9999_12_30_is_a_400(ns, frozen):
    requests.put(ns + "/__admin/clock", json={"now": "9999-12-29T00:00:00Z", "frozen": frozen}, timeout=10)
    envelope(requests.post(ns + "/__admin/clock/advance", json={"seconds": 86401}, timeout=10), 400)
    assert requests.get(ns + "/__admin/clock", timeout=10).json()["now"].startswith("9999-12-29")


def test_a_running_clock_at_the_last_moment_keeps_serving(ns):
    """It used to overflow a second later: every vendor request and GET /__admin/clock a 500, until a reset."""
    set_ = requests.put(ns + "/__admin/clock", json={"now": "9999-12-30T00:00:00Z", "frozen": False}, timeout=10)
    assert set_.status_code == 200
    time.sleep(1.1)
    clock = requests.get(ns + "/__admin/clock", timeout=10)
    assert clock.status_code == 200 and clock.json()["now"].startswith("9999-12-30T00:00:01")
    created = requests.post(ns + BASE, json={}, headers=KEY, timeout=10)
    assert created.status_code == 200 and created.json()["data"]["submittedAt"].startswith("9999-12-30T00:00:0")
    assert requests.get(ns + "/__admin/requests", timeout=10).json()["requests"][0]["status"] == 200


def test_a_namespace_holds_at_most_1000_fault_rules(ns):
    session = requests.Session()
    rule = {"match": {"operation": "getInteraction"}, "action": {"status": 503}, "times": 1}
    ids = []
    for _ in range(1000):
        response = session.post(ns + "/__admin/faults", json=rule, timeout=10)
        assert response.status_code == 200, response.text
        ids.append(response.json()["id"])
    assert "1000 fault rules" in envelope(session.post(ns + "/__admin/faults", json=rule, timeout=10), 400)
    assert len(session.get(ns + "/__admin/faults", timeout=10).json()["faults"]) == 1000
    # The others are untouched, and one removed makes room for one more.
    other = f"{ns}-other"
    assert session.post(other + "/__admin/faults", json=rule, timeout=10).status_code == 200
    assert session.delete(f"{ns}/__admin/faults/{ids[0]}", timeout=10).status_code == 200
    assert session.post(ns + "/__admin/faults", json=rule, timeout=10).status_code == 200
    envelope(session.post(ns + "/__admin/faults", json=rule, timeout=10), 400)
    assert session.get(ns + BASE + "/none", headers=KEY, timeout=10).status_code == 503  # the rules still work


def test_a_fault_rule_is_at_most_64_kib_of_json(ns):
    body = {"action": {"status": 503, "body": {"why": "w" * (64 * 1024 - 100)}}}
    assert requests.post(ns + "/__admin/faults", json=body, timeout=10).status_code == 200
    body["action"]["body"]["why"] += "w" * 100
    assert "at most 65536 bytes" in envelope(requests.post(ns + "/__admin/faults", json=body, timeout=10), 413)
    assert len(requests.get(ns + "/__admin/faults", timeout=10).json()["faults"]) == 1
