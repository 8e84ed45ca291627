"""getInteraction and getInteractionByExternalId (§1.5): by id, by ext_, 404s, retain_stopped."""

import pytest

from mocknexus.core.config import ServerConfig, WorldSettings
from tests.conftest import BASE, FIXTURES, KEY, assert_error, assert_ok

URL = f"{BASE}/crm-tasks/interactions"
TICKET_ID = "0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10"  # fixtures/interactions.json, externalId ticket-42


def test_get_by_id_and_by_external_id_give_the_same_interaction(client):
    by_id = assert_ok(client.get(f"{URL}/{TICKET_ID}", headers=KEY))
    by_ext = assert_ok(client.get(f"{URL}/ext_ticket-42", headers=KEY))
    assert by_id == by_ext
    assert by_id["externalId"] == "ticket-42"
    assert by_id["receivedAt"] == "2026-05-01T10:00:00.000Z" and by_id["submittedAt"] == "2026-05-01T10:00:00.120Z"
    assert by_id["userData"]["Customer"] == {"Name": "Ada Lovelace", "Tier": "gold"}


def test_a_created_interaction_is_readable_both_ways(client):
    created = assert_ok(client.post(URL, json={"externalId": "fresh", "userData": {"a": "b"}}, headers=KEY))
    assert assert_ok(client.get(f"{URL}/{created['id']}", headers=KEY)) == created
    assert assert_ok(client.get(f"{URL}/ext_fresh", headers=KEY)) == created


@pytest.mark.parametrize("path", ["no-such-id", "ext_no-such-ticket", "ext_"])
def test_an_unknown_interaction_is_404(client, path):
    status = assert_error(client.get(f"{URL}/{path}", headers=KEY), 404)
    assert "crm-tasks" in status["message"]


def test_an_id_of_another_service_is_404(client):
    status = assert_error(client.get(f"{BASE}/web-chat/interactions/{TICKET_ID}", headers=KEY), 404)
    assert TICKET_ID in status["message"]
    assert_error(client.get(f"{BASE}/web-chat/interactions/ext_ticket-42", headers=KEY), 404)


def test_an_unknown_service_is_404(client):
    status = assert_error(client.get(f"{BASE}/nope/interactions/{TICKET_ID}", headers=KEY), 404)
    assert "'nope'" in status["message"]


def test_a_stopped_fixture_interaction_is_404_by_default(client):
    assert_error(client.get(f"{BASE}/whatsapp/interactions/9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4", headers=KEY), 404)
    assert_error(client.get(f"{BASE}/whatsapp/interactions/ext_wa-447700900123-1", headers=KEY), 404)


@pytest.mark.parametrize("config", [ServerConfig(fixtures=[str(FIXTURES)],
                                                 settings=WorldSettings(retain_stopped=True))])
def test_retain_stopped_serves_the_stopped_fixture(client):
    data = assert_ok(client.get(f"{BASE}/whatsapp/interactions/ext_wa-447700900123-1", headers=KEY))
    assert data["state"] == "stopped" and data["stoppedAt"] == "2026-04-30T08:20:00.000Z"
    assert data["stopReason"] == {"systemName": "agent", "description": "Resolved"}


@pytest.mark.parametrize("config", [ServerConfig(fixtures=[str(FIXTURES)],
                                                 settings=WorldSettings(retain_stopped=True))])
def test_retain_stopped_by_external_id_gives_the_live_one_then_the_newest(client):
    wa = f"{BASE}/whatsapp/interactions"
    live = assert_ok(client.post(wa, json={"externalId": "wa-447700900123-1"}, headers=KEY))
    assert assert_ok(client.get(f"{wa}/ext_wa-447700900123-1", headers=KEY))["id"] == live["id"]
    assert_ok(client.post(f"{wa}/{live['id']}/stop", headers=KEY))
    newest = assert_ok(client.get(f"{wa}/ext_wa-447700900123-1", headers=KEY))
    assert newest["id"] == live["id"] and newest["state"] == "stopped"
    # The older one stays readable by its id.
    assert assert_ok(client.get(f"{wa}/9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4", headers=KEY))["state"] == "stopped"
