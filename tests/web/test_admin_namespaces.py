"""§2.5: namespaces are worlds of their own, made on first use; listed, dropped, and LRU-capped."""

import requests

from mocknexus.core.config import ServerConfig
from mocknexus.web.app import create_app
from tests.conftest import BASE, FIXTURES, KEY, assert_error, assert_ok


def ns(name, path):
    return f"/__ns/{name}{path}"


def create(client, name, ext):
    return assert_ok(client.post(ns(name, f"{BASE}/crm-tasks/interactions"), json={"externalId": ext}, headers=KEY))


def names(client):
    return [n["name"] for n in client.get("/__admin/namespaces").json["namespaces"]]


def test_two_namespaces_with_the_same_external_ids_side_by_side(client):
    a1, b1 = create(client, "team-a", "order-1"), create(client, "team-b", "order-1")
    assert a1["id"] != b1["id"]
    assert a1["selfUri"] == f"/__ns/team-a{BASE}/crm-tasks/interactions/{a1['id']}"
    assert b1["selfUri"].startswith(f"/__ns/team-b{BASE}/")
    assert_error(client.post(ns("team-a", f"{BASE}/crm-tasks/interactions"), json={"externalId": "order-1"},
                             headers=KEY), 409)
    assert_ok(client.post(ns("team-a", f"{BASE}/crm-tasks/interactions/ext_order-1/stop"), headers=KEY))
    got = assert_ok(client.get(ns("team-b", f"{BASE}/crm-tasks/interactions/ext_order-1"), headers=KEY))
    assert got["id"] == b1["id"] and got["state"] == "queued"
    assert_ok(client.get(a1["selfUri"].replace(a1["id"], "ext_order-1").replace("team-a", "team-b"), headers=KEY))
    assert_error(client.get(f"{BASE}/crm-tasks/interactions/ext_order-1", headers=KEY), 404)  # default: untouched


def test_a_new_namespace_starts_from_the_fixtures(client):
    client.post(f"{BASE}/crm-tasks/interactions/ext_ticket-42/stop", headers=KEY)
    got = assert_ok(client.get(ns("fresh", f"{BASE}/crm-tasks/interactions/ext_ticket-42"), headers=KEY))
    assert got["state"] == "queued" and got["selfUri"].startswith("/__ns/fresh/")


def test_each_namespace_has_its_own_journal_clock_settings_and_admin_view(client):
    create(client, "j", "x")
    client.put(ns("j", "/__admin/clock"), json={"now": "2030-01-01T00:00:00Z"})
    client.patch(ns("j", "/__admin/settings"), json={"strict": True})
    assert len(client.get(ns("j", "/__admin/requests")).json["requests"]) == 1
    assert client.get("/__admin/requests").json["requests"] == []
    assert client.get("/__admin/clock").json["frozen"] is False
    assert client.get("/__admin/settings").json["strict"] is False
    assert client.get(ns("j", "/__admin/health")).json["interactions"] == 3
    assert client.get("/__admin/health").json["interactions"] == 2
    listed = client.get(ns("j", "/__admin/interactions")).json["interactions"]
    assert listed[-1]["selfUri"].startswith("/__ns/j/")
    client.post(ns("j", "/__admin/reset"))
    assert client.get(ns("j", "/__admin/clock")).json["frozen"] is False
    assert client.get(ns("j", "/__admin/health")).json["interactions"] == 2


def test_state_of_a_namespace_round_trips(client):
    create(client, "st", "x")
    state = client.get(ns("st", "/__admin/state")).json
    assert state["interactions"][-1]["selfUri"].startswith("/__ns/st/")
    assert client.put(ns("st", "/__admin/state"), json=state).json == state


def test_list_namespaces_default_then_least_recently_used_first(client):
    create(client, "one", "x")
    create(client, "two", "x")
    client.get(ns("one", "/__admin/health"))
    listed = client.get("/__admin/namespaces").json["namespaces"]
    assert [n["name"] for n in listed] == ["default", "two", "one"]  # default first: it is never evicted
    assert listed[1] == {"name": "two", "interactions": 3, "requests": 1}


def test_drop_a_namespace(client):
    create(client, "gone", "x")
    assert client.delete("/__admin/namespaces/gone").json == {"status": "ok"}
    assert "gone" not in names(client)
    assert_error(client.delete("/__admin/namespaces/gone"), 404)
    assert_error(client.get(ns("gone", f"{BASE}/crm-tasks/interactions/ext_x"), headers=KEY), 404)  # made afresh


def test_dropping_default_resets_it(client):
    client.post(f"{BASE}/crm-tasks/interactions", json={"externalId": "d"}, headers=KEY)
    assert client.delete("/__admin/namespaces/default").status_code == 200
    assert "default" in names(client)
    assert client.get("/__admin/requests").json["requests"] == []
    assert_error(client.get(f"{BASE}/crm-tasks/interactions/ext_d", headers=KEY), 404)


def test_max_namespaces_evicts_the_least_recently_used():
    client = create_app(ServerConfig(fixtures=[str(FIXTURES)], max_namespaces=2)).test_client()
    create(client, "a", "kept")
    create(client, "b", "lost")
    client.get(ns("a", "/__admin/health"))  # a is used again: b is now the oldest
    create(client, "c", "x")
    assert sorted(names(client)) == ["a", "c", "default"]
    assert_ok(client.get(ns("a", f"{BASE}/crm-tasks/interactions/ext_kept"), headers=KEY))
    assert_error(client.get(ns("b", f"{BASE}/crm-tasks/interactions/ext_lost"), headers=KEY), 404)


def test_a_bad_namespace_name_is_a_404(client):
    assert_error(client.get(f"/__ns/bad name/{BASE}/crm-tasks/interactions/ext_x", headers=KEY), 404)
    assert_error(client.get("/__ns//__admin/health"), 404)


def test_namespaces_through_a_real_server(live_server):
    url = f"{live_server.root}/__ns/live{BASE}/crm-tasks/interactions"
    made = assert_ok(requests.post(url, json={"externalId": "r"}, headers=KEY, timeout=5))
    assert made["selfUri"].startswith("/__ns/live/")
    assert_ok(requests.get(live_server.root + made["selfUri"], headers=KEY, timeout=5))


def test_each_namespace_has_its_own_id_sequence():
    client = create_app(ServerConfig(fixtures=[str(FIXTURES)], seed=5)).test_client()
    first_in_a = create(client, "a", "x")["id"]
    create(client, "a", "y")
    assert create(client, "b", "x")["id"] == first_in_a  # b's sequence did not move with a's
