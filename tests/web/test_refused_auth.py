"""Contract §9: a request refused for its admin token or its API key creates no namespace and does not change
which namespace is least recently used; nor does a tokenless health probe. Through a real server."""

import pytest
import requests

from mocknexus.serving.server import MockNexus
from tests.conftest import FIXTURES

BASE = "/nexus/v3/openmedia/crm-tasks/interactions"
TOKEN = {"Authorization": "Bearer s3cret"}


@pytest.fixture
def server():
    with MockNexus(fixtures=[str(FIXTURES)], port=0, api_keys=["k"], admin_token="s3cret",
                   max_namespaces=5) as nexus:
        yield nexus
        assert not nexus.errors, nexus.errors


def names(server) -> list[str]:
    response = requests.get(server.root + "/__admin/namespaces", headers=TOKEN, timeout=10)
    assert response.status_code == 200
    return [n["name"] for n in response.json()["namespaces"]]


def _victim(server) -> str:
    """A namespace with data of its own: one interaction, created through the vendor API."""
    response = requests.post(server.root + "/__ns/victim" + BASE, json={"externalId": "mine"},
                             headers={"x-api-key": "k"}, timeout=10)
    assert response.status_code == 200
    return response.json()["data"]["id"]


def _still_there(server, interaction_id: str) -> None:
    response = requests.get(f"{server.root}/__ns/victim{BASE}/{interaction_id}", headers={"x-api-key": "k"},
                            timeout=10)
    assert response.status_code == 200 and response.json()["data"]["externalId"] == "mine"


@pytest.mark.parametrize("auth", [None, "Bearer wrong", "Basic s3cret"])
@pytest.mark.parametrize("method, path", [("GET", "/__admin/health"), ("POST", "/__admin/reset"),
                                          ("GET", "/__admin/requests"), ("GET", "/__admin/no-such-route")])
def test_a_wrong_admin_token_makes_no_namespace_and_evicts_none(server, auth, method, path):
    victim = _victim(server)
    for n in range(6):  # with --max-namespaces 5, six new ones would evict the victim
        response = requests.request(method, f"{server.root}/__ns/evil{n}{path}",
                                    headers={"Authorization": auth} if auth else {}, timeout=10)
        if path == "/__admin/health":  # the readiness probe answers without the token: status and version only
            assert response.status_code == 200 and set(response.json()) == {"status", "version"}, response.text
            continue
        expected = 404 if "no-such" in path else 401  # an unknown route is a 404 (and needs no world) either way
        assert response.status_code == expected, response.text
        assert response.json()["status"]["code"] == expected
    assert names(server) == ["default", "victim"]
    _still_there(server, victim)


@pytest.mark.parametrize("key", [None, "wrong", "K"])
def test_a_refused_api_key_makes_no_namespace_and_evicts_none(server, key):
    victim = _victim(server)
    for n in range(6):
        response = requests.post(f"{server.root}/__ns/evil{n}{BASE}", json={"externalId": "x"},
                                 headers={"x-api-key": key} if key else {}, timeout=10)
        assert response.status_code == 401 and response.json()["status"]["code"] == 401
    assert names(server) == ["default", "victim"]
    _still_there(server, victim)


def test_a_refused_request_does_not_count_as_a_use_of_its_namespace(server):
    for name in ("older", "newer"):
        assert requests.get(f"{server.root}/__ns/{name}/__admin/health", headers=TOKEN, timeout=10).ok
    assert names(server) == ["default", "older", "newer"]  # least recently used first
    assert requests.get(f"{server.root}/__ns/older/__admin/health", timeout=10).status_code == 200  # tokenless
    assert requests.get(f"{server.root}/__ns/older{BASE}/ext_x", headers={"x-api-key": "no"},
                        timeout=10).status_code == 401
    assert names(server) == ["default", "older", "newer"]
    # ... while the 401 is still in that namespace's journal: it existed already.
    journal = requests.get(f"{server.root}/__ns/older/__admin/requests", headers=TOKEN, timeout=10).json()
    assert [r["status"] for r in journal["requests"]] == [401]


def test_a_tokenless_health_probe_makes_no_namespace(server):
    for n in range(6):
        response = requests.get(f"{server.root}/__ns/probe{n}/__admin/health", timeout=10)
        assert response.status_code in (200, 401)  # 401 now; the readiness probe answers without the token
    assert names(server) == ["default"]
