"""What every vendor route shares (§1, §1.1, §1.2, §1.6): envelope, JSON 404/405/500, trace id, ext_ addressing,
unknown fields, id_style and seed, max_body, selfUri."""

import re

import pytest
import requests

from mocknexus.core.config import ServerConfig, WorldSettings
from mocknexus.web.app import create_app
from tests.conftest import BASE, FIXTURES, KEY, assert_error, assert_ok

URL = f"{BASE}/crm-tasks/interactions"
TRACE = "X-B3-TraceId"
WARNING = "X-Mocknexus-Warning"


def app_with(seed=None, **settings):
    return create_app(ServerConfig(fixtures=[str(FIXTURES)], settings=WorldSettings(**settings), seed=seed))


@pytest.mark.parametrize("method, path", [
    ("GET", "/"), ("GET", "/nexus/v3"), ("GET", f"{BASE}/crm-tasks"), ("GET", f"{URL}/x/y/z"),
    ("POST", f"{URL}/x/close"), ("GET", "/<script>alert(1)</script>"),
])
def test_unknown_paths_are_a_json_404(client, method, path):
    status = assert_error(client.open(path, method=method, headers=KEY), 404)
    assert status["message"].startswith("No such path")


@pytest.mark.parametrize("method, path", [
    ("DELETE", URL), ("GET", URL), ("PUT", f"{URL}/some-id"), ("GET", f"{URL}/some-id/stop"),
    ("GET", f"{URL}/ext_t/update"), ("PATCH", f"{URL}/ext_t"), ("OPTIONS", URL), ("OPTIONS", f"{URL}/ext_t"),
    ("OPTIONS", "/__admin/health"), ("OPTIONS", "/openapi.json"),
])
def test_wrong_methods_are_a_json_405(client, method, path):
    response = client.open(path, method=method, headers=KEY)
    status = assert_error(response, 405)
    assert status["message"] == f"Method {method} is not allowed on {path}"
    assert method not in response.headers["Allow"]


def test_a_server_fault_is_a_json_500_and_the_next_request_works(app, client, monkeypatch, capsys):
    store = app.extensions["mocknexus"].default.store

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(store, "get_interaction", explode)
    response = client.get(f"{URL}/ext_ticket-42", headers=KEY)
    status = assert_error(response, 500)
    assert "RuntimeError" in status["message"]
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert isinstance(app.extensions["mocknexus.errors"][-1], RuntimeError)  # kept for whoever runs the server
    assert "secret internals" in capsys.readouterr().err  # and logged there, not sent
    monkeypatch.undo()
    assert assert_ok(client.get(f"{URL}/ext_ticket-42", headers=KEY))["externalId"] == "ticket-42"


def test_a_raising_route_is_a_json_500_too():
    app = app_with()

    @app.get("/__boom")
    def boom():
        raise KeyError("boom")

    client = app.test_client()
    assert_error(client.get("/__boom"), 500)
    assert_ok(client.get(f"{URL}/ext_ticket-42", headers=KEY))


def test_success_envelope_is_exactly_status_and_data(client):
    response = client.get(f"{URL}/ext_ticket-42", headers=KEY)
    assert response.headers["Content-Type"] == "application/json"
    assert set(response.json) == {"status", "data"} and response.json["status"] == {"code": 0, "message": "OK"}


@pytest.mark.parametrize("path, headers", [
    (f"{URL}/ext_ticket-42", KEY), (f"{URL}/ext_nope", KEY), (f"{URL}/ext_ticket-42", {}), ("/nowhere", {}),
])
def test_a_trace_id_is_echoed_on_every_answer(client, path, headers):
    response = client.get(path, headers={**headers, TRACE: "463ac35c9f6413ad48485a3953bb6124"})
    assert response.headers[TRACE] == "463ac35c9f6413ad48485a3953bb6124"
    fresh = [client.get(path, headers=headers).headers[TRACE] for _ in range(2)]
    assert all(re.fullmatch(r"[0-9a-f]{16}", t) for t in fresh) and fresh[0] != fresh[1]


def test_a_trace_id_with_odd_characters_is_echoed_header_safe(client):
    response = client.get(f"{URL}/ext_ticket-42", headers={**KEY, TRACE: "abc\u00e9"})
    assert response.headers[TRACE] == "abc\\xe9"


def test_a_trailing_question_mark_is_accepted(client):
    created = assert_ok(client.get(f"{URL}/ext_ticket-42?", headers=KEY))
    assert assert_ok(client.get(f"{URL}/{created['id']}?", headers=KEY)) == created
    assert assert_ok(client.post(f"{URL}?", json={"externalId": "q"}, headers=KEY))["externalId"] == "q"
    assert assert_ok(client.post(f"{URL}/ext_q/stop?", headers=KEY))["state"] == "stopped"


@pytest.mark.parametrize("external_id, segment", [
    ("a b", "ext_a%20b"),
    ("a+b", "ext_a+b"),
    ("100%", "ext_100%25"),
    ("ticket#7", "ext_ticket%237"),
    ("q?x=1", "ext_q%3Fx=1"),
    ("résumé-€", "ext_r%C3%A9sum%C3%A9-%E2%82%AC"),
    ("résumé-€", "ext_résumé-€"),
    ("日本語-𝄞", "ext_%E6%97%A5%E6%9C%AC%E8%AA%9E-%F0%9D%84%9E"),
    ("ext_nested", "ext_ext_nested"),
    # An encoded slash stays inside the segment (WSGI servers decode it before routing; routing.py undoes that).
    ("a/b", "ext_a%2Fb"),
    ("/x/y/", "ext_%2fx%2Fy%2F"),
    ("a/b%2F", "ext_a%2Fb%252F"),
])
def test_ext_segments_are_percent_decoded_and_unicode_works(client, external_id, segment):
    created = assert_ok(client.post(URL, json={"externalId": external_id}, headers=KEY))
    for tail in ("", "/update"):
        body = {"addedProperties": {"seen": "yes"}} if tail else None
        method = client.post if tail else client.get
        assert assert_ok(method(f"{URL}/{segment}{tail}", json=body, headers=KEY))["id"] == created["id"]
    assert assert_ok(client.post(f"{URL}/{segment}/stop", headers=KEY))["externalId"] == external_id


def test_unknown_fields_are_ignored_with_a_warning_header_each(app, client):
    response = client.post(URL, json={"externalID": "x", "colour": 1, "userData": {"a": "b"}}, headers=KEY)
    data = assert_ok(response)
    assert data["externalId"] is None and data["userData"] == {"a": "b"}
    expected = ["unknown field 'colour' ignored", "unknown field 'externalID' ignored"]
    assert sorted(response.headers.getlist(WARNING)) == expected
    journal = app.extensions["mocknexus"].default.journal.find()
    assert sorted(journal[-1]["warnings"]) == expected
    clean = client.post(URL, json={}, headers=KEY)
    assert WARNING not in clean.headers


def test_warnings_come_from_every_operation_and_are_header_safe(client):
    response = client.post(f"{URL}/ext_ticket-42/update",
                           json={"addedProperties": {"a": "b"}, "donnée\n": 1}, headers=KEY)
    assert_ok(response)
    assert response.headers.getlist(WARNING) == ["unknown field 'donn\\xe9e\\n' ignored"]
    response = client.post(f"{URL}/ext_ticket-42/stop", json={"reason": "x"}, headers=KEY)
    assert_ok(response)
    assert response.headers[WARNING] == "unknown field 'reason' ignored"


def test_strict_makes_unknown_fields_a_400_and_changes_nothing():
    client = app_with(strict=True).test_client()
    status = assert_error(client.post(URL, json={"externalId": "s", "externalID": "x"}, headers=KEY), 400)
    assert status["details"] == {"externalID": ["Unknown field."]}
    assert_error(client.get(f"{URL}/ext_s", headers=KEY), 404)
    status = assert_error(client.post(f"{URL}/ext_ticket-42/stop", json={"reason": "x"}, headers=KEY), 400)
    assert status["details"] == {"reason": ["Unknown field."]}
    assert assert_ok(client.get(f"{URL}/ext_ticket-42", headers=KEY))["state"] == "queued"
    assert_ok(client.post(URL, json={"externalId": "s"}, headers=KEY))


def test_id_style_genesys_gives_interaction_server_ids():
    client = app_with(id_style="genesys").test_client()
    ids = [assert_ok(client.post(URL, headers=KEY))["id"] for _ in range(20)]
    assert all(re.fullmatch(r"[0-9A-Z]{16}", i) for i in ids) and len(set(ids)) == 20
    assert assert_ok(client.get(f"{URL}/{ids[0]}", headers=KEY))["id"] == ids[0]


def test_a_seed_gives_the_same_ids_in_every_app_and_after_a_reset():
    first, second = app_with(seed=42).test_client(), app_with(seed=42).test_client()
    ids = [assert_ok(first.post(URL, headers=KEY))["id"] for _ in range(3)]
    assert [assert_ok(second.post(URL, headers=KEY))["id"] for _ in range(3)] == ids
    assert first.post("/__admin/reset").status_code == 200
    assert [assert_ok(first.post(URL, headers=KEY))["id"] for _ in range(3)] == ids
    other = app_with(seed=43).test_client()
    assert assert_ok(other.post(URL, headers=KEY))["id"] != ids[0]


def test_max_body_is_a_setting_and_413_leaves_the_server_serving():
    client = app_with(max_body=100).test_client()
    body = '{"userData": {"a": "%s"}}' % ("x" * 100)
    status = assert_error(client.post(URL, data=body, headers=KEY), 413)
    assert status["message"] == f"The request body is {len(body)} bytes; the limit is 100"
    assert_error(client.post(f"{URL}/ext_ticket-42/update", json={"addedProperties": {"a": "x" * 100}},
                             headers=KEY), 413)
    assert_ok(client.post(URL, json={"userData": {"a": "x" * 10}}, headers=KEY))


def test_413_over_a_real_socket_and_the_server_keeps_serving(live_server):
    url = f"{live_server.url}/openmedia/crm-tasks/interactions"
    response = requests.post(url, data=b"{" + b" " * (1024 * 1024 + 10) + b"}", headers=KEY, timeout=10)
    assert_error(response, 413)
    # Chunked: no Content-Length to check up front, so the limit applies while reading.
    chunks = (b" " * 65536 for _ in range(20))
    assert_error(requests.post(url, data=chunks, headers=KEY, timeout=10), 413)
    assert_ok(requests.get(f"{url}/ext_ticket-42", headers=KEY, timeout=10))


@pytest.mark.parametrize("path", ["", "/ext_ticket-42/stop", "/ext_ticket-42/update",
                                  "/0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10/stop",
                                  "/0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10/update"])
def test_every_operation_with_a_body_answers_413_over_max_body(path):
    client = app_with(max_body=50).test_client()
    big = {"addedProperties": {"a": "x" * 50}} if path.endswith("update") else {"data": {"a": "x" * 50}}
    assert_error(client.post(f"{URL}{path}", json=big, headers=KEY), 413)
    assert assert_ok(client.get(f"{URL}/ext_ticket-42", headers=KEY))["state"] == "queued"


def test_self_uri_carries_the_namespace_prefix(client):
    data = assert_ok(client.post(f"/__ns/team-a{URL}", json={"externalId": "ns"}, headers=KEY))
    assert data["selfUri"] == f"/__ns/team-a/nexus/v3/openmedia/crm-tasks/interactions/{data['id']}"
    assert assert_ok(client.get(data["selfUri"], headers=KEY)) == data
    assert_error(client.get(f"{URL}/ext_ns", headers=KEY), 404)  # the default world never saw it
