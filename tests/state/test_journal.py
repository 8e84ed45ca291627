"""The journal: bounded, filtered, and a wait() woken by its bell instead of polling."""

import threading
import time

import pytest

from mocknexus.state.journal import Journal, Waiter, decode_body, matcher


def record(n=0, **fields):
    base = {"operation": "createInteraction", "method": "POST", "service": "crm-tasks", "status": 200,
            "path": f"/nexus/v3/openmedia/crm-tasks/interactions/{n}"}
    return {**base, **fields}


def test_keeps_only_the_newest_size_records():
    journal = Journal(size=5)
    for n in range(20):
        journal.add(record(n))
        assert len(journal) <= 5
    assert [r["id"] for r in journal.find()] == [16, 17, 18, 19, 20]


def test_find_filters_by_each_key_and_limit_keeps_the_newest():
    journal = Journal()
    journal.add(record(1))
    journal.add(record(2, operation="getInteraction", method="GET"))
    journal.add(record(3, status=404, service="web-chat"))
    journal.add(record(4, status=409))
    assert [r["id"] for r in journal.find({"operation": "getInteraction"})] == [2]
    assert [r["id"] for r in journal.find({"method": "get"})] == [2]
    assert [r["id"] for r in journal.find({"status": 409})] == [4]
    assert [r["id"] for r in journal.find({"service": "web-chat"})] == [3]
    assert [r["id"] for r in journal.find({"path": r"/(1|4)$"})] == [1, 4]
    assert [r["id"] for r in journal.find({"method": "POST"}, limit=2)] == [3, 4]


def test_matcher_with_no_keys_matches_everything():
    assert matcher({})(record()) is True


def test_clear_empties_and_reset_restarts_ids():
    journal = Journal()
    journal.add(record())
    journal.add(record())
    journal.clear()
    assert journal.find() == []
    journal.add(record())
    assert journal.find()[0]["id"] == 3
    journal.clear(restart_ids=True)
    journal.add(record())
    assert journal.find()[0]["id"] == 1


def test_wait_returns_at_once_when_already_met():
    journal = Journal()
    journal.add(record(1))
    met, found = journal.wait({"path": "/1$"}, count=1, timeout=5)
    assert met and [r["id"] for r in found] == [1]


def test_wait_times_out_with_what_it_saw():
    journal = Journal()
    journal.add(record(1))
    met, found = journal.wait({"method": "POST"}, count=2, timeout=0.05)
    assert not met and len(found) == 1


def test_wait_checks_its_condition_only_when_the_bell_rings(monkeypatch):
    journal = Journal()
    checks = []
    real_ready = Waiter.ready
    monkeypatch.setattr(Waiter, "ready", lambda self: checks.append(1) or real_ready(self))
    met, _ = journal.wait({"status": 200}, timeout=0.2)
    assert not met
    assert len(checks) == 2  # once at the start, once at the timeout: nothing rang, nothing polled


def test_wait_wakes_on_the_matching_add_not_on_its_timeout():
    journal = Journal()
    result = {}

    def waiter():
        result["met"], result["found"] = journal.wait({"status": 409}, count=2, timeout=30)
        result["at"] = time.monotonic()

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.05)
    journal.add(record(1, status=409))
    journal.add(record(2, status=200))  # wakes it, but does not match
    time.sleep(0.02)
    assert thread.is_alive()
    added = time.monotonic()
    journal.add(record(3, status=409))
    thread.join(5)
    assert not thread.is_alive() and result["met"]
    assert [r["id"] for r in result["found"]] == [1, 3]
    assert result["at"] - added < 1.0  # "did not hang": it is woken, far from its 30 s timeout


def test_a_clear_during_a_wait_forgets_what_was_seen():
    journal = Journal()
    journal.add(record(1))
    result = {}
    thread = threading.Thread(target=lambda: result.update(r=journal.wait({}, count=2, timeout=0.3)))
    thread.start()
    time.sleep(0.05)
    journal.clear()
    journal.add(record(2))
    thread.join(5)
    met, found = result["r"]
    assert not met and [r["id"] for r in found] == [2]


def test_waiters_forget_records_the_ring_evicted():
    journal = Journal(size=2)
    journal.add(record(1, status=409))
    result = {}
    thread = threading.Thread(target=lambda: result.update(r=journal.wait({"status": 409}, count=2, timeout=0.3)))
    thread.start()
    time.sleep(0.05)
    journal.add(record(2))
    journal.add(record(3))  # evicts record 1
    journal.add(record(4, status=409))
    thread.join(5)
    met, found = result["r"]
    assert not met and [r["id"] for r in found] == [4]


@pytest.mark.parametrize("raw, kept", [
    (b"", None),
    (b'{"a": 1}', {"a": 1}),
    (b"not json", "not json"),
    (b"\xff\xfe", "\ufffd\ufffd"),
    (b"[" * 60000, "[" * 60000),
    (b"[" * 65 + b"]" * 65, "[" * 65 + "]" * 65),  # deeper than 64 levels: kept as text, never parsed
    (b'{"x": NaN}', '{"x": NaN}'),  # not strict JSON: text (a parsed NaN could not be written back)
    (b'{"x": 1e999}', '{"x": 1e999}'),
    (b"x" * 65536, "x" * 65536),
    (b"\xc3\xa9" * 40000, {"truncated": True, "bytes": 80000, "head": "\u00e9" * 512}),
])
def test_decode_body_keeps_json_as_json_and_anything_else_as_text(raw, kept):
    assert decode_body(raw) == kept


def test_request_headers_are_exactly_what_werkzeug_environheaders_gives():
    """The journal's one-pass header copy must match dict(iter(EnvironHeaders)), what it used to store:
    names, values, order, and the last of two names that title-case alike."""
    from werkzeug.datastructures import EnvironHeaders

    from mocknexus.state.journal import request_headers

    environ = {"REQUEST_METHOD": "POST", "HTTP_HOST": "h", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": "",
               "HTTP_X_API_KEY": "k", "HTTP_CONTENT_TYPE": "ignored", "HTTP_CONTENT_LENGTH": "9", "wsgi.x": 1,
               "HTTP_X_B3_TRACEID": "t", "HTTP_X-B3-TRACEID": "dup", "HTTP_ACCEPT_ENCODING": "gzip"}
    got = request_headers(environ)
    expected = dict(iter(EnvironHeaders(environ)))
    assert got == expected and list(got) == list(expected)
    assert got["X-B3-Traceid"] == "dup" and "Content-Length" not in got
