"""Contract §9: patterns from clients (journal `path`, wait and fault `match.path`) run in time linear in the
input, or are a 400; while a pathological one runs, other namespaces are served at once."""

import statistics
import threading
import time
import urllib.parse

import pytest
import requests

from mocknexus.serving.server import MockNexus
from tests.conftest import FIXTURES

BASE = "/nexus/v3/openmedia/crm-tasks/interactions"
KEY = {"x-api-key": "k"}
EVIL = "(a+)+$"  # exponential in Python's re against the path below: ~9 s at 27 a's, doubling with each more
VICTIM = BASE + "/ext_" + "a" * 27 + "!"


@pytest.fixture(scope="module")
def server():
    with MockNexus(fixtures=[str(FIXTURES)], port=0) as nexus:
        yield nexus
        assert not nexus.errors, nexus.errors



def _health_while(server, busy) -> list[float]:
    """Health of another namespace, in seconds, probed while `busy()` runs in a thread (repeated for ~1 s)."""
    done, errors = threading.Event(), []

    def run():
        try:
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                busy()
        except BaseException as exc:  # noqa: BLE001 - re-raised by the test
            errors.append(exc)
        finally:
            done.set()

    thread = threading.Thread(target=run)
    session, took = requests.Session(), []
    thread.start()
    while not done.is_set():
        start = time.perf_counter()
        assert session.get(server.root + "/__ns/bystander/__admin/health", timeout=30).status_code == 200
        took.append(time.perf_counter() - start)
        time.sleep(0.02)
    thread.join(30)
    if errors:
        raise errors[0]
    return took


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def test_a_pathological_journal_filter_answers_at_once_and_holds_no_one(server, ns):
    assert requests.get(ns + VICTIM, headers=KEY, timeout=10).status_code == 404
    query = f"{ns}/__admin/requests?path={urllib.parse.quote(EVIL)}"

    def filter_journal():
        response = requests.get(query, timeout=30)
        assert response.status_code == 200 and response.json() == {"requests": []}

    assert _timed(filter_journal) < 2.0
    took = _health_while(server, filter_journal)
    assert len(took) >= 3 and statistics.median(took) < 0.05, took


def test_a_pathological_wait_match_answers_at_once(server, ns):
    requests.get(ns + VICTIM, headers=KEY, timeout=10)
    body = {"match": {"path": EVIL}, "count": 1, "timeoutMs": 0}

    def wait():
        assert requests.post(ns + "/__admin/requests/wait", json=body, timeout=30).status_code == 408

    assert _timed(wait) < 2.0


def test_a_pathological_fault_rule_path_costs_a_vendor_request_nothing(server, ns):
    rule = {"match": {"path": EVIL}, "action": {"status": 503}}
    assert requests.post(ns + "/__admin/faults", json=rule, timeout=10).status_code == 200

    def vendor_get():
        assert requests.get(ns + VICTIM, headers=KEY, timeout=30).status_code == 404  # the rule does not match

    assert _timed(vendor_get) < 2.0
    took = _health_while(server, vendor_get)
    assert len(took) >= 3 and statistics.median(took) < 0.05, took
    assert requests.get(ns + BASE + "/ext_aaa", headers=KEY, timeout=10).status_code == 503  # it does match
    [listed] = requests.get(ns + "/__admin/faults", timeout=10).json()["faults"]
    assert listed["match"] == {"path": EVIL} and listed["fired"] == 1


@pytest.mark.parametrize("pattern, why", [
    (r"(a)\1", "invalid escape sequence"),  # a backreference: no linear-time engine has one
    ("a(?=b)", "invalid perl operator"),  # look-ahead
    ("(?<!x)a", "invalid perl operator"),  # look-behind
    ("(", "missing )"),
    ("(?:a{0,30}b?){0,15}c", "too complex"),  # linear, but seconds per long path: refused
    ("x" * 1001, "at most 1000 characters"),
])
def test_patterns_rejected_as_400_in_all_three_places(ns, pattern, why):
    listing = requests.get(f"{ns}/__admin/requests", params={"path": pattern}, timeout=10)
    wait = requests.post(ns + "/__admin/requests/wait", json={"match": {"path": pattern}, "timeoutMs": 0},
                         timeout=10)
    fault = requests.post(ns + "/__admin/faults", json={"match": {"path": pattern}, "action": {"status": 503}},
                          timeout=10)
    for response, field in ((listing, "path"), (wait, "match.path"), (fault, "match.path")):
        assert response.status_code == 400, response.text
        status = response.json()["status"]
        assert status["code"] == 400 and why in status["details"][field][0]
    assert requests.get(ns + "/__admin/faults", timeout=10).json() == {"faults": []}


@pytest.mark.parametrize("pattern, path, matches", [
    ("crm-tasks", BASE, True),  # a plain substring
    ("^/nexus/v3/openmedia/[^/]+/interactions$", BASE, True),
    (r"ext_t\w+-\d+$", BASE + "/ext_ticket-42", True),
    ("é", BASE + "/ext_%C3%A9", True),  # non-ASCII in the pattern and the path
    ("^crm", BASE, False),
    ("web-chat|whatsapp", BASE, False),
])
def test_ordinary_patterns_match_as_they_did(ns, pattern, path, matches):
    requests.get(ns + path, headers=KEY, timeout=10)
    found = requests.get(f"{ns}/__admin/requests", params={"path": pattern}, timeout=10).json()["requests"]
    assert len(found) == (1 if matches else 0)
