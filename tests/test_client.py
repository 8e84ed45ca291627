"""AdminClient and Sandbox against a real server: every admin method, errors carrying the envelope."""

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests

from mocknexus import MockNexus
from mocknexus.client import AdminClient, AdminError, WaitTimeout, server_root
from mocknexus.sandbox import Sandbox, merge_documents, pick_api_key
from tests.conftest import KEY

CREATE = "/openmedia/crm-tasks/interactions"


@pytest.fixture
def admin(live_server):
    with AdminClient(live_server.url, namespace="client-tests") as client:
        yield client
        client.drop_namespace("client-tests")


def create(client, external_id, **body):
    return requests.post(client.url + CREATE, json={"externalId": external_id, **body}, headers=KEY, timeout=5)


def test_root_from_either_url(live_server):
    assert server_root(live_server.url + "/") == live_server.root
    assert AdminClient(live_server.url).health()["status"] == "ok"
    assert AdminClient(live_server.root, namespace="n1").url == live_server.root + "/__ns/n1/nexus/v3"


def test_seed_interactions_state_and_load_state(admin):
    seeded = admin.seed({"openMediaService": "email-in", "externalId": "m-1"},
                        [{"openMediaService": "email-in", "externalId": "m-2", "state": "stopped"}])
    assert [i["externalId"] for i in seeded] == ["m-1", "m-2"]
    assert [i["externalId"] for i in admin.interactions(service="email-in", state="queued")] == ["m-1"]
    state = admin.state()
    assert len(state["interactions"]) == len(admin.interactions())
    state["interactions"] = [i for i in state["interactions"] if i["openMediaService"] == "email-in"]
    admin.load_state(state)
    assert {i["externalId"] for i in admin.interactions()} == {"m-1", "m-2"}
    admin.reset()
    assert not admin.interactions(service="email-in")


def test_errors_carry_the_envelope_and_change_nothing(admin):
    before = admin.interactions()
    with pytest.raises(AdminError) as caught:
        admin.seed({"openMediaService": "email-in"}, {"openMediaService": "no-such-service"})
    assert caught.value.status == 400
    assert caught.value.message == "Invalid fixture data: no interaction was seeded"
    assert "interactions[1].openMediaService" in caught.value.details
    assert "400: Invalid fixture data" in str(caught.value)
    assert admin.interactions() == before


def test_unreachable_server_is_a_clear_error():
    with pytest.raises(AdminError, match="cannot reach mocknexus at http://127.0.0.1:9") as caught:
        AdminClient("http://127.0.0.1:9", timeout=2).health()
    assert caught.value.status is None


def test_settings_read_and_change(admin):
    assert admin.settings(strict=True, retain_stopped=True, id_style="genesys")["idStyle"] == "genesys"
    assert admin.settings() == {"strict": True, "retainStopped": True, "idStyle": "genesys", "maxBody": 1 << 20}
    with pytest.raises(TypeError, match="unknown setting"):
        admin.settings(stritc=True)
    with pytest.raises(AdminError) as caught:
        admin.settings(id_style="nope")
    assert caught.value.status == 400 and "idStyle" in caught.value.details


def test_requests_wait_for_and_clear(admin):
    # An asynchronous caller: the request arrives after wait_for has started waiting.
    timer = threading.Timer(0.05, create, (admin, "late-1"))
    timer.start()
    arrived = admin.wait_for(operation="createInteraction", timeout=5)
    timer.join()
    assert [r["status"] for r in arrived] == [200]
    create(admin, "late-1")  # 409
    assert [r["status"] for r in admin.requests(operation="createInteraction")] == [200, 409]
    assert [r["status"] for r in admin.requests(status=409)] == [409]
    admin.clear_requests()
    assert admin.requests() == []


def test_wait_for_timeout_is_an_assertion_with_what_was_seen(admin):
    create(admin, "only-one")
    with pytest.raises(WaitTimeout) as caught:
        admin.wait_for(count=2, timeout=0.05, operation="createInteraction")
    assert isinstance(caught.value, AssertionError)
    assert caught.value.status == 408
    assert len(caught.value.requests) == 1
    assert "1 of 2 matching requests arrived" in str(caught.value)


def test_fault_keywords_fired_count_and_with_block(admin):
    with admin.fault(operation="createInteraction", external_id="boom", status=503, times=1) as fault:
        assert fault.rule["match"] == {"operation": "createInteraction", "externalId": "boom"}
        assert fault.rule["times"] == 1
        assert fault.fired == 0
        assert create(admin, "boom").status_code == 503
        assert create(admin, "fine").status_code == 200
        assert fault.fired == 1
        assert [f["id"] for f in admin.faults()] == [fault.id]
    assert admin.faults() == []
    assert fault.fired == 1  # the last count, after removal
    assert create(admin, "boom").status_code == 200


def test_fault_errors_and_clear(admin):
    with pytest.raises(TypeError, match="unknown keyword 'statuss'"):
        admin.fault(statuss=500)
    with pytest.raises(AdminError) as caught:
        admin.fault(status="soon")
    assert caught.value.status == 400
    admin.fault(status=500)
    admin.fault(match={"service": "web-chat"}, action={"status": 502})
    assert len(admin.faults()) == 2
    admin.clear_faults()
    assert admin.faults() == []


def test_clock_set_advance_resume(admin):
    admin.clock.set(datetime(2026, 5, 1, 10, 0))
    assert admin.clock.frozen
    admin.clock.advance(90)
    admin.clock.advance(timedelta(minutes=1), seconds=30)
    assert admin.clock.now() == datetime(2026, 5, 1, 10, 3, tzinfo=UTC)
    assert create(admin, "timed").json()["data"]["submittedAt"] == "2026-05-01T10:03:00.000Z"
    admin.clock.resume()
    assert not admin.clock.frozen
    assert abs(admin.clock.now() - datetime.now(UTC)) < timedelta(minutes=1)


def test_namespaces_are_separate_and_can_be_dropped(admin, live_server):
    create(admin, "mine")
    other = admin.namespace_client("client-tests-other")
    assert other.requests() == []
    assert "client-tests" in [n["name"] for n in other.namespaces()]
    admin.drop_namespace("client-tests")
    assert "client-tests" not in [n["name"] for n in other.namespaces()]
    admin.drop_namespace("never-made")  # missing_ok
    with pytest.raises(AdminError) as caught:
        admin.drop_namespace("never-made", missing_ok=False)
    assert caught.value.status == 404


def test_admin_token():
    with MockNexus(port=0, admin_token="s3cret") as nexus:
        with pytest.raises(AdminError) as caught:
            AdminClient(nexus.root).settings()
        assert caught.value.status == 401
        assert "interactions" not in AdminClient(nexus.root).health()  # the readiness probe needs no token
        assert AdminClient(nexus.root, token="s3cret").health()["interactions"] == 0


def test_sandbox_fixtures_settings_key_reset_and_close(live_server):
    extra = {"services": ["sandbox-svc"], "apiKeys": [{"key": "narrow", "services": ["sandbox-svc"]}, "wide"],
             "interactions": [{"openMediaService": "sandbox-svc", "externalId": "s-1"}]}
    sandbox = Sandbox(live_server.root, fixtures=[extra], settings={"retain_stopped": True}).open()
    base = len(AdminClient(live_server.root).interactions())
    assert sandbox.api_key == "wide"
    assert len(sandbox.interactions()) == base + 1  # the server's fixtures plus the sandbox's
    headers = {"x-api-key": sandbox.api_key}
    url = f"{sandbox.url}/openmedia/sandbox-svc/interactions/ext_s-1"
    assert requests.post(url + "/stop", headers=headers, timeout=5).status_code == 200
    assert requests.get(url, headers=headers, timeout=5).json()["data"]["state"] == "stopped"  # retain_stopped
    sandbox.settings(retain_stopped=False)
    sandbox.reset()
    assert sandbox.settings()["retainStopped"] is True
    assert requests.get(url, headers=headers, timeout=5).json()["data"]["state"] == "queued"
    sandbox.close()
    assert sandbox.namespace not in [n["name"] for n in AdminClient(live_server.root).namespaces()]


def test_sandbox_key_in_any_key_mode_is_accepted(live_server):
    sandbox = Sandbox(live_server.root).open()
    try:
        response = requests.post(sandbox.url + CREATE, json={}, headers={"x-api-key": sandbox.api_key}, timeout=5)
        assert response.status_code == 200
    finally:
        sandbox.close()


def test_merge_documents_and_pick_api_key():
    merged = merge_documents([
        {"services": ["a", {"name": "b", "mediaType": "chat"}], "interactions": [{"openMediaService": "a"}]},
        {"services": [{"name": "a", "mediaType": "email"}], "apiKeys": ["k"],
         "interactions": [{"openMediaService": "b"}]},
    ])
    assert merged["services"] == [{"name": "a", "mediaType": "email"}, {"name": "b", "mediaType": "chat"}]
    assert [i["openMediaService"] for i in merged["interactions"]] == ["a", "b"]
    now = datetime(2026, 5, 1, tzinfo=UTC)
    keys = [{"key": "off", "enabled": False}, {"key": "old", "expiresAt": "2026-01-01T00:00:00Z"},
            {"key": "narrow", "services": ["a"]}, {"key": "later", "expiresAt": "2027-01-01T00:00:00Z"}]
    assert pick_api_key(keys, now) == "later"
    assert pick_api_key(keys[:3], now) == "narrow"
    assert pick_api_key(keys[:2], now) is None
    with pytest.raises(ValueError, match="must be a JSON object"):
        merge_documents([["not", "a", "document"]])


def test_the_package_exports_the_errors_a_user_catches():
    import mocknexus
    from mocknexus import client, pytest_plugin

    assert mocknexus.AdminError is client.AdminError and mocknexus.WaitTimeout is client.WaitTimeout
    assert mocknexus.MockNexusServerError is pytest_plugin.MockNexusServerError
    assert set(mocknexus.__all__) >= {"MockNexus", "create_app", "AdminError", "WaitTimeout", "MockNexusServerError"}
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        mocknexus.Nope  # noqa: B018


def test_importing_the_package_imports_nothing_heavy():
    code = "import sys, mocknexus; print([m for m in ('flask', 'requests', 'pytest') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
