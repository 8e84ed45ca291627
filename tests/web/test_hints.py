"""§10: a vendor 404 says what the caller probably meant (X-Mocknexus-Hint, and `hint` in the journal), from
what its own namespace holds; where nothing near exists, no hint."""

import pytest

from tests.conftest import BASE, KEY, assert_error, assert_ok

CRM = f"{BASE}/crm-tasks/interactions"
CHAT = f"{BASE}/web-chat/interactions"
TICKET_ID = "0d2f5c4e-7a61-4b0e-9a57-3c1e8f6b2a10"  # fixtures/interactions.json: crm-tasks, externalId ticket-42


def hinted(client, response) -> str:
    """The 404 is the plain envelope; its hint is the header and the journal's record says the same."""
    assert_error(response, 404)
    said = response.headers["X-Mocknexus-Hint"]
    last = client.get("/__admin/requests?limit=1").json["requests"][0]
    assert last["status"] == 404 and last["hint"] == said
    return said


@pytest.mark.parametrize("call", [
    lambda c: c.get(f"{CHAT}/ext_ticket-42", headers=KEY),
    lambda c: c.post(f"{CHAT}/ext_ticket-42/stop", json={}, headers=KEY),
    lambda c: c.post(f"{CHAT}/ext_ticket-42/update", json={"addedProperties": {"a": "b"}}, headers=KEY),
], ids=["get", "stop", "update"])
def test_an_external_id_live_in_another_service_is_named(client, call):
    assert hinted(client, call(client)) == "externalId 'ticket-42' is live in service 'crm-tasks', not 'web-chat'"


def test_an_interaction_id_of_another_service_is_named(client):
    assert hinted(client, client.get(f"{CHAT}/{TICKET_ID}", headers=KEY)) == \
        f"interaction '{TICKET_ID}' is in service 'crm-tasks', not 'web-chat'"


@pytest.mark.parametrize("ref", [TICKET_ID, "ext_ticket-42"])
def test_a_stopped_interaction_says_when_and_by_whom(client, ref):
    client.put("/__admin/clock", json={"now": "2030-01-01T00:00:00Z"})
    assert_ok(client.post(f"{CRM}/{ref}/stop", json={}, headers=KEY))
    for again in (client.get(f"{CRM}/{ref}", headers=KEY), client.post(f"{CRM}/{ref}/stop", headers=KEY)):
        assert hinted(client, again) == \
            f"interaction '{TICKET_ID}' was stopped at 2030-01-01T00:00:00.000Z by the client"


def test_an_unknown_service_gets_the_nearest_name(client):
    said = hinted(client, client.post(f"{BASE}/crm-task/interactions", json={}, headers=KEY))
    assert said == "no service 'crm-task'; did you mean 'crm-tasks'?"
    assert hinted(client, client.get(f"{BASE}/web_chat/interactions/ext_x", headers=KEY)).endswith("'web-chat'?")


@pytest.mark.parametrize("call", [
    lambda c: c.get(f"{CRM}/ext_no-such-ticket", headers=KEY),
    lambda c: c.get(f"{CRM}/no-such-id", headers=KEY),
    lambda c: c.post(f"{BASE}/billing/interactions", json={}, headers=KEY),
    lambda c: c.get(f"{BASE}/{'crm-tasks' * 40}/interactions/x", headers=KEY),  # too long to be a near miss
    lambda c: c.post(CRM, json={"parentInteractionId": "nope"}, headers=KEY),
    lambda c: c.get("/nexus/v3/openmedia/crm-tasks/no-such-path", headers=KEY),
], ids=["ext", "id", "service", "long-service", "parent", "unrouted"])
def test_no_hint_where_nothing_near_exists(client, call):
    response = call(client)
    assert_error(response, 404)
    assert "X-Mocknexus-Hint" not in response.headers
    assert "hint" not in client.get("/__admin/requests?limit=1").json["requests"][0]


def test_hints_name_only_what_the_callers_namespace_holds(client):
    assert_ok(client.post(f"/__ns/other{CHAT}", json={"externalId": "only-in-other"}, headers=KEY))
    response = client.get(f"/__ns/mine{CRM}/ext_only-in-other", headers=KEY)
    assert_error(response, 404)
    assert "X-Mocknexus-Hint" not in response.headers
    response = client.get(f"/__ns/other{CRM}/ext_only-in-other", headers=KEY)  # its own namespace: named
    assert response.headers["X-Mocknexus-Hint"] == \
        "externalId 'only-in-other' is live in service 'web-chat', not 'crm-tasks'"


def test_a_faulted_404_has_no_hint(client):
    client.post("/__admin/faults", json={"action": {"status": 404}})
    response = client.get(f"{CHAT}/ext_ticket-42", headers=KEY)
    assert response.status_code == 404 and "X-Mocknexus-Hint" not in response.headers


def test_a_hint_is_header_safe(client):
    external = "tick\u00e9t\r\nX-Evil: 1"
    assert_ok(client.post(CRM, json={"externalId": external}, headers=KEY))
    said = hinted(client, client.get(f"{CHAT}/ext_tick%C3%A9t%0D%0AX-Evil:%201", headers=KEY))
    assert said == "externalId 'tick\\xe9t\\r\\nX-Evil: 1' is live in service 'crm-tasks', not 'web-chat'"
    assert said.isascii() and "\n" not in said


def test_a_hint_is_looked_for_in_bounded_time(client):
    """5000 services whose names are all near each other (difflib's worst case): the 404 still answers at
    once (hints.SECONDS), where comparing with all of them took seconds; past the budget, no hint."""
    import random
    import time

    rng = random.Random(7)
    names = ["".join(rng.choice("ab") for _ in range(60)) for _ in range(5000)]
    assert client.put("/__ns/many/__admin/state", json={"services": names, "interactions": []}).status_code == 200
    began = time.perf_counter()
    response = client.get(f"/__ns/many{BASE}/{names[0][:-1]}c/interactions/ext_x", headers=KEY)
    assert_error(response, 404)
    assert time.perf_counter() - began < 0.25
