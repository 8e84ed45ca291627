"""The admin client's contact-center methods against a real server: moves, lifecycles, webhooks, deliveries."""

import pytest
import requests

from mocknexus.client import AdminClient, AdminError, WaitTimeout
from mocknexus.receiver import WebhookReceiver
from tests.conftest import KEY

CREATE = "/openmedia/crm-tasks/interactions"


@pytest.fixture
def admin(live_server):
    with AdminClient(live_server.url, namespace="cc-tests") as client:
        yield client
        client.drop_namespace("cc-tests")


def create(client, external_id):
    answer = requests.post(client.url + CREATE, json={"externalId": external_id}, headers=KEY, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def test_moves_by_id_and_by_external_id(admin):
    created = create(admin, "a b/c")
    assert admin.route("crm-tasks", created["id"])["state"] == "routing"
    assert admin.handle("crm-tasks", "ext_a b/c", agent="agent-7")["agent"] == "agent-7"
    assert admin.requeue("crm-tasks", created["id"])["state"] == "queued"
    assert admin.agent_update("crm-tasks", created["id"], added={"k": "v"}, deleted=["x"])["userData"] == {"k": "v"}
    stopped = admin.agent_stop("crm-tasks", "ext_a b/c", by="system", reason_description="timeout")
    assert stopped["stoppedBy"] == "system" and stopped["stopReason"] == {"systemName": None, "description": "timeout"}
    with pytest.raises(AdminError) as caught:
        admin.route("crm-tasks", created["id"])
    assert caught.value.status == 404


def test_lifecycle_and_webhooks_with_deliveries(admin):
    assert admin.set_lifecycle("crm-tasks", [{"after": 0, "action": "route"}]) == [{"after": 0, "action": "route"}]
    assert admin.lifecycle("crm-tasks") == [{"after": 0, "action": "route"}]
    with WebhookReceiver() as receiver:
        hook = admin.add_webhook(receiver.url, id="rx", events=["STARTED"])
        assert [h["id"] for h in admin.webhooks()] == ["rx"] and hook["events"] == ["STARTED"]
        created = create(admin, "hooked")
        [record] = admin.wait_for_delivery(state="delivered", webhook="rx", timeout=10)
        assert record["interactionId"] == created["id"] and admin.deliveries(event="STARTED") == [record]
        assert admin.interactions(state="routing")[0]["id"] == created["id"]  # after: 0, done at once
        with pytest.raises(WaitTimeout) as caught:
            admin.wait_for_delivery(event="FINISHED", timeout=0.05)
        assert caught.value.requests == []
        admin.remove_webhook("rx")
        admin.add_webhook(receiver.url)
        admin.clear_webhooks()
        assert admin.webhooks() == []
