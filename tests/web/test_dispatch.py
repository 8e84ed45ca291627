"""The vendor fast path (dispatch.py): its routing agrees with werkzeug's, and Flask never serves a vendor view."""

import gc
import io
import itertools
import json

import pytest
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from mocknexus.core.config import ServerConfig
from mocknexus.serving.accesslog import AccessLog
from mocknexus.web.app import create_app
from mocknexus.web.dispatch import VendorRequest, VendorRoutes, _content_length
from tests.conftest import BASE, FIXTURES, KEY, assert_error, assert_ok

SEGMENTS = ["x1", "ext_", "ext_a", "ext_a%2Fb", "ext_ü ñ", "Ext_a", "ext", "-", "interactions", "stop", ""]
TAILS = ["", "/", "/stop", "/update", "/stop/", "/update/", "/delete", "//stop", "/stop/x"]
PATHS = [f"{BASE}/crm-tasks/interactions", f"{BASE}/crm-tasks/interactions/", f"{BASE}//interactions",
         f"{BASE}/crm-tasks/interaction", f"{BASE}/a b/interactions", "/nexus/v3/openmedia", "/nexus/"] + [
    f"{BASE}/crm-tasks/interactions/{segment}{tail}" for segment, tail in itertools.product(SEGMENTS, TAILS)]
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "get"]


def _werkzeug(adapter, path, method):
    try:
        return adapter.match(path, method)
    except HTTPException as error:
        return type(error).__name__


def _ours(routes, path, method):
    try:
        return routes.match(path, method)
    except HTTPException as error:
        return type(error).__name__


def test_the_fast_routes_decide_every_path_and_method_as_werkzeug_does(app):
    routes, adapter = VendorRoutes(app.url_map), app.url_map.bind("localhost")
    checked = [(path, method) for path in PATHS for method in METHODS]
    assert len(checked) > 700
    for path, method in checked:
        assert _ours(routes, path, method) == _werkzeug(adapter, path, method), (method, path)


def test_the_canonical_paths_never_reach_werkzeugs_matcher(app, monkeypatch):
    """Otherwise the fast path would be no faster: each of the seven operations matches on its own regex."""
    routes = VendorRoutes(app.url_map)
    monkeypatch.setattr(routes, "werkzeug", None)  # any fall-through would now raise AttributeError
    base = f"{BASE}/crm-tasks/interactions"
    expected = {
        ("POST", base): ("api.create_interaction", {"service": "crm-tasks"}),
        ("GET", f"{base}/i-1"): ("api.get_interaction", {"service": "crm-tasks", "interaction_id": "i-1"}),
        ("HEAD", f"{base}/ext_e"): ("api.get_interaction_by_external_id",
                                           {"service": "crm-tasks", "external_id": "e"}),
        ("POST", f"{base}/i-1/stop"): ("api.stop_interaction", {"service": "crm-tasks", "interaction_id": "i-1"}),
        ("POST", f"{base}/i-1/update"): ("api.update_interaction",
                                         {"service": "crm-tasks", "interaction_id": "i-1"}),
        ("POST", f"{base}/ext_/stop"): ("api.stop_interaction_by_external_id",
                                        {"service": "crm-tasks", "external_id": ""}),
        ("POST", f"{base}/ext_a b/update"): ("api.update_interaction_by_external_id",
                                             {"service": "crm-tasks", "external_id": "a b"}),
    }
    for (method, path), answer in expected.items():
        assert routes.match(path, method) == answer
    assert {endpoint for endpoint, _ in expected.values()} == {
        rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}


@pytest.mark.parametrize(("method", "path"), [
    ("GET", f"{BASE}/crm-tasks/interactions/ext_ticket-42"),
    ("POST", f"{BASE}/crm-tasks/interactions/"),  # werkzeug's matcher routes this one, not the fast regexes
])
def test_routed_vendor_requests_never_reach_flasks_dispatch(app, client, monkeypatch, method, path):
    """The views take the request's Call first: were Flask to dispatch one, it would fail, so every routed
    vendor request must be answered by the dispatcher."""
    monkeypatch.setattr(app, "full_dispatch_request", lambda: pytest.fail("Flask dispatched a vendor request"))
    assert_ok(client.open(path, method=method, headers=KEY, json={}))


def test_unrouted_vendor_paths_still_get_flasks_404_and_405(client):
    assert_error(client.get(f"{BASE}/crm-tasks/nothing", headers=KEY), 404)
    response = client.delete(f"{BASE}/crm-tasks/interactions/x1", headers=KEY)
    assert_error(response, 405)
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD"}


def test_a_head_request_gets_the_gets_headers_and_no_body(client):
    url = f"{BASE}/crm-tasks/interactions/ext_ticket-42"
    got, head = client.get(url, headers=KEY), client.head(url, headers=KEY)
    assert head.status == got.status == "200 OK"
    assert head.data == b"" and len(got.data) == int(head.headers["Content-Length"]) > 0
    assert head.headers["Content-Type"] == got.headers["Content-Type"] == "application/json"


def test_error_answers_keep_werkzeugs_status_line(client):
    missing = client.get(f"{BASE}/crm-tasks/interactions/ext_nobody", headers=KEY)
    assert missing.status == "404 NOT FOUND"
    assert_error(missing, 404)
    assert int(missing.headers["Content-Length"]) == len(missing.data)


def test_a_fault_rules_headers_replace_the_answers_own(client):
    rule = {"match": {"operation": "getInteractionByExternalId"},
            "action": {"delay_ms": 1, "headers": {"Content-Type": "text/plain", "Retry-After": "3"}}}
    assert client.post("/__admin/faults", json=rule).status_code == 200
    response = client.get(f"{BASE}/crm-tasks/interactions/ext_ticket-42", headers=KEY)
    assert response.headers.getlist("Content-Type") == ["text/plain"]
    assert response.headers["Retry-After"] == "3"
    assert json.loads(response.data)["data"]["externalId"] == "ticket-42"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/nexus/v3/openmedia/s/interactions/ext_a"),
    ("post", "//nexus/v3/openmedia/s/interactions"),
    ("GET", "/nexus/v3/openmedia/s/interactions/ext_\u00fc\u00f1".encode().decode("latin1")),
    ("HEAD", "/nexus/v3/openmedia/s/interactions/ext_\xff"),
])
def test_the_fast_request_reads_the_environ_as_werkzeugs_request_does(method, path):
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "REMOTE_ADDR": "10.1.2.3",
               "SERVER_NAME": "localhost", "SERVER_PORT": "80", "wsgi.url_scheme": "http"}
    ours, theirs = VendorRequest(environ), Request(environ)
    assert (ours.method, ours.path, ours.remote_addr) == (theirs.method, theirs.path, theirs.remote_addr)


@pytest.mark.parametrize("path", [f"{BASE}/crm-tasks/interactions/ext_ticket-42", "/__admin/health", "/nexus/x"])
def test_a_query_that_is_not_utf8_is_logged_not_a_500(capsys, path):
    """waitress hands a raw 0xff byte of the query on as '\xff'; werkzeug's full_path would raise on it."""
    log = AccessLog(interval=3600)  # flushed by the test
    app = create_app(ServerConfig(fixtures=[str(FIXTURES)]), access_log=log)
    response = app.test_client().get(path, headers=KEY, environ_overrides={"QUERY_STRING": "a=\xff"})
    assert response.status_code in (200, 404)
    log.flush()
    assert f'"GET {path}?a=\\ufffd" {response.status_code}' in capsys.readouterr().out


@pytest.mark.parametrize("value", ["12", "0", "007", " 12", "+1", "-1", "", None, "1\u0663", "1e3", "12 "])
@pytest.mark.parametrize("transfer_encoding", [None, "chunked", "gzip"])
def test_the_fast_content_length_is_werkzeugs(value, transfer_encoding):
    environ = {"REQUEST_METHOD": "POST", "SERVER_NAME": "localhost", "SERVER_PORT": "80", "wsgi.url_scheme": "http"}
    if value is not None:
        environ["CONTENT_LENGTH"] = value
    if transfer_encoding is not None:
        environ["HTTP_TRANSFER_ENCODING"] = transfer_encoding
    assert _content_length(environ) == Request(environ).content_length


def test_vendor_requests_leave_no_garbage_for_the_cycle_collector(app):
    """Every object a request makes is freed by reference counting as it ends: nothing for the collector to
    walk. (A werkzeug Request makes a cycle with its environ: every request was garbage until a GC pass.)"""
    def call(method, path, body=b""):
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "x",
                   "SERVER_PORT": "80", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
                   "wsgi.input_terminated": True, "CONTENT_LENGTH": str(len(body)), "HTTP_X_API_KEY": "k"}
        got = []
        chunks = app(environ, lambda status, headers, exc_info=None: got.append(status))
        b"".join(chunks)
        getattr(chunks, "close", lambda: None)()
        return got[0]

    url = f"{BASE}/crm-tasks/interactions"
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        statuses = [
            call("POST", url, b'{"externalId": "gc-1", "userData": {"a": {"b": 1}}}'),
            call("GET", f"{url}/ext_gc-1"),
            call("POST", f"{url}/ext_gc-1/update", b'{"changedProperties": {"a": 2}}'),
            call("POST", url, b'{"externalId": "gc-1"}'),  # 409
            call("GET", f"{url}/ext_nobody"),  # 404
            call("POST", f"{url}/ext_gc-1/stop", b"{}"),
        ]
        gc.collect()
        garbage = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert [s[:3] for s in statuses] == ["200", "200", "200", "409", "404", "200"]
    assert [getattr(o, "__qualname__", type(o).__name__) for o in garbage] == []
