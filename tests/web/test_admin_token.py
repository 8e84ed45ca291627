"""--admin-token: every admin route needs `Authorization: Bearer <token>`; vendor routes are unaffected."""

import pytest

from mocknexus.core.config import ServerConfig
from mocknexus.web.app import create_app
from tests.conftest import BASE, FIXTURES, KEY, assert_error, assert_ok

ROUTES = [("post", "/__admin/reset"), ("get", "/__admin/interactions"),
          ("get", "/__admin/state"), ("get", "/__admin/settings"), ("get", "/__admin/requests"),
          ("delete", "/__admin/requests"), ("get", "/__admin/clock"), ("get", "/__admin/namespaces"),
          ("get", "/__ns/x/__admin/interactions")]  # health answers without the token: test_admin_health.py


@pytest.fixture
def config():
    return ServerConfig(fixtures=[str(FIXTURES)], admin_token="s3cret")


@pytest.mark.parametrize("method, path", ROUTES)
@pytest.mark.parametrize("auth", [None, "Bearer wrong", "s3cret", "Basic s3cret", "Bearer", "Bearer s3cret!"])
def test_admin_routes_need_the_token(client, method, path, auth):
    headers = {"Authorization": auth} if auth else {}
    response = getattr(client, method)(path, headers=headers)
    assert "Bearer" in assert_error(response, 401)["message"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("method, path", ROUTES)
def test_admin_routes_answer_with_the_token(client, method, path):
    assert getattr(client, method)(path, headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_a_refused_admin_request_changes_nothing(client):
    client.post(f"{BASE}/crm-tasks/interactions", json={"externalId": "t"}, headers=KEY)
    assert_error(client.post("/__admin/reset"), 401)
    assert_ok(client.get(f"{BASE}/crm-tasks/interactions/ext_t", headers=KEY))


def test_vendor_routes_need_no_token(client):
    assert_ok(client.get(f"{BASE}/crm-tasks/interactions/ext_ticket-42", headers=KEY))
    assert_error(client.get(f"{BASE}/crm-tasks/interactions/ext_ticket-42"), 401)  # still the x-api-key rule


def test_without_the_flag_admin_routes_are_open():
    client = create_app(ServerConfig(fixtures=[str(FIXTURES)])).test_client()
    assert client.get("/__admin/health").status_code == 200
