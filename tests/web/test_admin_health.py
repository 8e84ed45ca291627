"""GET /__admin/health (§2.1): the readiness probe answers without the admin token, with status and version only,
and such a probe makes no namespace and leaves the least recently used order alone (§9)."""

import pytest

from mocknexus import __version__
from mocknexus.core.config import ServerConfig
from tests.conftest import BASE, FIXTURES, KEY, assert_error


@pytest.fixture
def config():
    return ServerConfig(fixtures=[str(FIXTURES)], admin_token="s3cret", max_namespaces=2)


TOKEN = {"Authorization": "Bearer s3cret"}


@pytest.mark.parametrize("path", ["/__admin/health", "/__ns/probe/__admin/health"])
@pytest.mark.parametrize("auth", [None, "Bearer wrong", "s3cret"])
def test_health_without_the_token_gives_status_and_version_only(client, path, auth):
    response = client.get(path, headers={"Authorization": auth} if auth else {})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {"status": "ok", "version": __version__}
    assert response.headers["Content-Type"] == "application/json"


def test_health_with_the_token_also_counts_interactions(client):
    response = client.get("/__admin/health", headers=TOKEN)
    assert response.json == {"status": "ok", "version": __version__, "interactions": 2}


def test_health_without_a_token_configured_counts_interactions(app):
    app.extensions["mocknexus.config"].admin_token = None
    assert app.test_client().get("/__admin/health").json["interactions"] == 2


def test_a_tokenless_probe_makes_no_namespace_and_keeps_the_lru_order(app, client):
    worlds = app.extensions["mocknexus"]
    for name in ("older", "newer"):  # older is the least recently used, next to go
        client.get(f"/__ns/{name}/__admin/health", headers=TOKEN)
    assert worlds.names() == ["default", "older", "newer"]
    client.get("/__ns/older/__admin/health")  # a use with the token would move `older` to the end
    client.get("/__ns/brand-new/__admin/health")
    assert worlds.names() == ["default", "older", "newer"]
    client.get("/__ns/third/__admin/health", headers=TOKEN)  # so this evicts `older`, the LRU one
    assert worlds.names() == ["default", "newer", "third"]


def test_other_admin_routes_still_need_the_token(client):
    assert_error(client.get("/__admin/interactions"), 401)
    assert_error(client.get(f"{BASE}/crm-tasks/interactions/ext_ticket-42"), 401)  # vendor: the x-api-key rule
    assert client.get(f"{BASE}/crm-tasks/interactions/ext_ticket-42", headers=KEY).status_code == 200
