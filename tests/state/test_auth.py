"""Authentication (§1.3): 401 for missing/unknown/disabled/expired keys, 403 for another service's key,
any-key mode, and the order: key first, then service, then body."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from mocknexus.core.config import ServerConfig, WorldSettings
from mocknexus.web.app import create_app
from tests.conftest import BASE, FIXTURES, assert_error, assert_ok

URL = f"{BASE}/crm-tasks/interactions"
SOON = datetime.now(UTC) + timedelta(hours=1)


@pytest.fixture
def config(tmp_path):
    keys = {"apiKeys": [
        "plain",
        {"key": "tasks-only", "services": ["crm-tasks"]},
        {"key": "chat-only", "services": ["web-chat"]},
        {"key": "off", "enabled": False},
        {"key": "old", "expiresAt": "2020-01-01T00:00:00Z"},
        {"key": "soon", "expiresAt": SOON.isoformat()},
    ]}
    (tmp_path / "keys.json").write_text(json.dumps(keys))
    return ServerConfig(fixtures=[str(FIXTURES), str(tmp_path / "keys.json")], api_keys=["from-flag"],
                        settings=WorldSettings(max_body=64))


def get(client, key, service="crm-tasks", ref="ext_ticket-42"):
    headers = {} if key is None else {"x-api-key": key}
    return client.get(f"{BASE}/{service}/interactions/{ref}", headers=headers)


@pytest.mark.parametrize("key", ["plain", "tasks-only", "soon", "from-flag"])
def test_good_keys_pass(client, key):
    assert assert_ok(get(client, key))["externalId"] == "ticket-42"


@pytest.mark.parametrize("key, message", [
    (None, "Missing x-api-key header"),
    ("", "Missing x-api-key header"),
    ("who-knows", "Unknown API key"),
    ("PLAIN", "Unknown API key"),
    ("off", "This API key is disabled"),
    ("old", "This API key has expired"),
])
def test_bad_keys_are_401(client, key, message):
    assert assert_error(get(client, key), 401)["message"] == message


def test_a_key_for_other_services_is_403(client):
    status = assert_error(get(client, "chat-only"), 403)
    assert status["message"] == "This API key is not allowed for open media service 'crm-tasks'"
    assert_ok(get(client, "chat-only", "web-chat", "ext_chat-7731"))


def test_a_scoped_key_is_403_even_for_an_unknown_service(client):
    # The key is checked first, so a scoped key learns nothing about which services exist.
    assert_error(get(client, "chat-only", "no-such-service"), 403)
    assert_error(get(client, "plain", "no-such-service"), 404)


def test_expiry_follows_the_virtual_clock(app, client):
    assert_ok(get(client, "soon"))
    app.extensions["mocknexus"].default.clock.advance(2 * 3600)
    assert assert_error(get(client, "soon"), 401)["message"] == "This API key has expired"


@pytest.mark.parametrize("operation", [
    lambda c, h: c.post(URL, data="{broken", headers=h),
    lambda c, h: c.post(URL, data="x" * 1000, headers=h),
    lambda c, h: c.post(f"{URL}/ext_ticket-42/update", headers=h),
    lambda c, h: c.post(f"{URL}/ext_nope/stop", headers=h),
    lambda c, h: c.get(f"{URL}/nope", headers=h),
])
def test_the_key_is_checked_before_the_body_and_the_target(client, operation):
    assert_error(operation(client, {}), 401)
    assert_error(operation(client, {"x-api-key": "chat-only"}), 403)


def test_any_key_mode_without_configured_keys(client_any):
    assert_ok(get(client_any, "anything"))
    assert_error(get(client_any, None), 401)
    assert_error(get(client_any, ""), 401)
    status = assert_error(get(client_any, "anything", "no-such-service"), 404)
    assert "'no-such-service'" in status["message"]


def test_a_flag_key_alone_turns_any_key_mode_off():
    client = create_app(ServerConfig(fixtures=[str(FIXTURES)], api_keys=["only-this"])).test_client()
    assert_ok(get(client, "only-this"))
    assert_error(get(client, "anything"), 401)


@pytest.fixture
def client_any():
    return create_app(ServerConfig(fixtures=[str(FIXTURES)])).test_client()


SEVEN = {
    "createInteraction": ("POST", URL),
    "getInteractionByExternalId": ("GET", f"{URL}/ext_ticket-42"),
    "stopInteractionByExternalId": ("POST", f"{URL}/ext_ticket-42/stop"),
    "updateInteractionByExternalId": ("POST", f"{URL}/ext_ticket-42/update"),
    "getInteraction": ("GET", f"{URL}/0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10"),
    "stopInteraction": ("POST", f"{URL}/0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10/stop"),
    "updateInteraction": ("POST", f"{URL}/0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10/update"),
}


@pytest.mark.parametrize("operation", SEVEN)
def test_every_operation_needs_a_key_allowed_for_its_service(client, operation):
    method, path = SEVEN[operation]
    body = {"addedProperties": {"a": "b"}} if path.endswith("update") else {}
    assert_error(client.open(path, method=method, json=body), 401)
    assert_error(client.open(path, method=method, json=body, headers={"x-api-key": "off"}), 401)
    status = assert_error(client.open(path, method=method, json=body, headers={"x-api-key": "chat-only"}), 403)
    assert "'crm-tasks'" in status["message"]
    assert_ok(client.open(path, method=method, json=body, headers={"x-api-key": "tasks-only"}))
