"""The vendor fast path (dispatch.py): its routing agrees with werkzeug's, and Flask never serves a vendor view."""

import itertools

import pytest
from conftest import BASE, KEY, assert_error, assert_ok
from werkzeug.exceptions import HTTPException

from mocknexus.dispatch import VendorRoutes

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
