"""The store is thread-safe through a real waitress server (§1.4): one winner per externalId, no lost creates."""

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.conftest import KEY, assert_error, assert_ok
from tests.state.test_consistent_reads import AdminReaders


def _post_all(url: str, bodies: list, workers: int) -> list:
    """POST every body, `workers` at a time; when they fit in one round, all released together by a barrier."""
    barrier = threading.Barrier(len(bodies)) if len(bodies) <= workers else None
    local = threading.local()

    def post(body):
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        if barrier is not None:
            barrier.wait(timeout=10)
        return session.post(url, json=body, headers=KEY, timeout=30)

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(post, bodies))


def test_32_concurrent_creates_with_one_external_id_give_one_200_and_31_409(live_server):
    url = f"{live_server.url}/openmedia/crm-tasks/interactions"
    with AdminReaders(live_server.root) as readers:
        responses = _post_all(url, [{"externalId": "race-1", "userData": {"n": n}} for n in range(32)], 32)
    readers.assert_all_answered()
    winners = [r for r in responses if r.status_code == 200]
    assert sorted(r.status_code for r in responses) == [200] + [409] * 31
    winner = assert_ok(winners[0])
    for loser in responses:
        if loser.status_code == 409:
            assert winner["id"] in assert_error(loser, 409)["message"]
    assert assert_ok(requests.get(f"{url}/ext_race-1", headers=KEY, timeout=10)) == winner


def test_200_concurrent_unique_creates_are_all_readable(live_server):
    url = f"{live_server.url}/openmedia/web-chat/interactions"
    with AdminReaders(live_server.root) as readers:
        responses = _post_all(url, [{"externalId": f"u-{n}", "userData": {"n": n}} for n in range(200)], 32)
    readers.assert_all_answered()
    created = [assert_ok(r) for r in responses]
    assert len({c["id"] for c in created}) == 200
    for n, data in enumerate(created):
        assert data["externalId"] == f"u-{n}" and data["userData"] == {"n": n}

    def read_back(n):
        data = created[n]
        assert assert_ok(requests.get(f"{url}/{data['id']}", headers=KEY, timeout=10)) == data
        assert assert_ok(requests.get(f"{url}/ext_u-{n}", headers=KEY, timeout=10))["id"] == data["id"]

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(read_back, range(200)))
