"""Concurrency through a real server: 16+ clients mix all seven operations on shared externalIds, then the
store's invariants are checked from the admin API (interactions, journal)."""

import random
import threading
from collections import Counter, defaultdict

import pytest
import requests

from mocknexus.serving.server import MockNexus
from tests.conftest import FIXTURES
from tests.state.test_consistent_reads import AdminReaders

CLIENTS = 16
OPS_PER_CLIENT = 50
SERVICES = ("crm-tasks", "web-chat")
SHARED_EXT = [f"shared-{n}" for n in range(6)]  # few, so creates collide (409) and stops race
TRACE = "X-B3-TraceId"


class Client:
    """One client: a seeded random mix of the seven operations; records every request and its answer."""

    def __init__(self, root: str, number: int, known_ids: list, ops: int = OPS_PER_CLIENT):
        self.base = f"{root}/nexus/v3/openmedia"
        self.number, self.known_ids, self.ops = number, known_ids, ops
        self.random = random.Random(number)
        self.session = requests.Session()
        self.session.headers["x-api-key"] = "k"
        self.log: list[dict] = []  # {trace, method, operation, status, body, data}
        self.added: list[tuple[str, str]] = []  # (interaction id, key) this client added and may delete
        self.error: BaseException | None = None

    def run(self):
        try:
            for n in range(self.ops):
                getattr(self, self.random.choice(OPERATIONS))(n)
        except BaseException as exc:  # noqa: BLE001 - handed to the test, which fails with it
            self.error = exc

    def _call(self, operation: str, method: str, path: str, body=None) -> dict | None:
        trace = f"c{self.number:02d}n{len(self.log):04d}"
        response = self.session.request(method, f"{self.base}/{path}", json=body, headers={TRACE: trace},
                                        timeout=30)
        payload = response.json()
        assert payload["status"]["code"] == (0 if response.status_code == 200 else response.status_code)
        data = payload.get("data")
        self.log.append({"trace": trace, "method": method, "operation": operation,
                         "status": response.status_code, "body": body, "data": data})
        return data

    def _target(self, by_id: bool) -> tuple[str, str, bool]:
        """(service, path segment, by id?): a recent id from any client, or a shared externalId."""
        service = self.random.choice(SERVICES)
        if by_id and self.known_ids:
            return service, self.random.choice(self.known_ids[-40:]), True
        return service, "ext_" + self.random.choice(SHARED_EXT), False

    def create(self, n):
        service = self.random.choice(SERVICES)
        body = {"externalId": self.random.choice(SHARED_EXT), "userData": {"Origin": f"c{self.number}"}}
        data = self._call("createInteraction", "POST", f"{service}/interactions", body)
        if data:
            self.known_ids.append(data["id"])

    def _get(self, by_id: bool):
        service, ref, by_id = self._target(by_id)
        self._call("getInteraction" if by_id else "getInteractionByExternalId", "GET",
                   f"{service}/interactions/{ref}")

    def _stop(self, by_id: bool):
        service, ref, by_id = self._target(by_id)
        self._call("stopInteraction" if by_id else "stopInteractionByExternalId", "POST",
                   f"{service}/interactions/{ref}/stop", {"reasonSystemName": "test"})

    def _update(self, by_id: bool, n: int):
        """Adds (or changes) one key no one else writes; sometimes also deletes one this client added before."""
        service, ref, by_id = self._target(by_id)
        key = f"k{self.number:02d}_{n:04d}"
        body = {"changedProperties" if n % 2 else "addedProperties": {key: n}}
        if self.added and self.random.random() < 0.3:
            body["deletedProperties"] = [self.random.choice(self.added)[1]]
        data = self._call("updateInteraction" if by_id else "updateInteractionByExternalId", "POST",
                          f"{service}/interactions/{ref}/update", body)
        if data:
            assert data["userData"][key] == n  # its own write is in its answer
            self.added.append((data["id"], key))

    def get_by_id(self, n):
        self._get(True)

    def get_by_ext(self, n):
        self._get(False)

    def stop_by_id(self, n):
        self._stop(True)

    def stop_by_ext(self, n):
        self._stop(False)

    def update_by_id(self, n):
        self._update(True, n)

    def update_by_ext(self, n):
        self._update(False, n)


OPERATIONS = ["create", "create", "get_by_id", "get_by_ext", "stop_by_id", "stop_by_ext",
              "update_by_id", "update_by_id", "update_by_ext", "update_by_ext"]


def _run_clients(server, count: int = CLIENTS, ops: int = OPS_PER_CLIENT) -> list[dict]:
    known_ids: list = []  # shared: list.append is atomic, ids are read while others write
    clients = [Client(server.root, number, known_ids, ops) for number in range(count)]
    threads = [threading.Thread(target=client.run) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive(), "a client hung"
    for client in clients:
        if client.error is not None:
            raise client.error
    log = [entry for client in clients for entry in client.log]
    assert len(log) == count * ops
    return log


def _admin(server, path: str) -> dict:
    response = requests.get(f"{server.root}/__admin/{path}", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def hammered():
    """One server, hammered once (with admin reads of every kind beside the clients); the tests below check
    what it left behind."""
    with MockNexus(fixtures=[str(FIXTURES)], port=0, threads=8) as server:
        with AdminReaders(server.root) as readers:
            log = _run_clients(server)
        yield server, log, _admin(server, "interactions")["interactions"], _admin(server, "requests")["requests"]
        readers.assert_all_answered()  # never a 500 (§9), whatever the clients were doing
        assert server.app.extensions["mocknexus.errors"] == []


def test_every_operation_ran_and_collided(hammered):
    _, log, _, _ = hammered
    seen = Counter((entry["operation"], entry["status"]) for entry in log)
    for operation in {entry["operation"] for entry in log}:
        assert seen[(operation, 200)] > 0, (operation, seen)
    assert len({entry["operation"] for entry in log}) == 7
    assert seen[("createInteraction", 409)] > 0  # shared externalIds really were contended
    assert {status for _, status in seen} <= {200, 404, 409}, seen


def test_no_two_live_interactions_share_an_external_id(hammered):
    _, _, interactions, _ = hammered
    live = Counter((i["openMediaService"], i["externalId"]) for i in interactions
                   if i["state"] != "stopped" and i["externalId"] is not None)
    assert live and max(live.values()) == 1, live


def test_every_created_interaction_is_readable_or_was_stopped(hammered):
    server, log, interactions, _ = hammered
    created = {e["data"]["id"] for e in log if e["operation"] == "createInteraction" and e["status"] == 200}
    stopped = Counter(e["data"]["id"] for e in log if "stop" in e["operation"] and e["status"] == 200)
    assert max(stopped.values()) == 1  # an interaction is stopped once, by exactly one 200
    by_id = {i["id"]: i for i in interactions}
    session = requests.Session()
    for iid in created:
        if iid in stopped:
            assert by_id[iid]["state"] == "stopped"
        else:
            assert by_id[iid]["state"] == "queued"
            service = by_id[iid]["openMediaService"]
            answer = session.get(f"{server.url}/openmedia/{service}/interactions/{iid}",
                                 headers={"x-api-key": "k"}, timeout=10)
            assert answer.status_code == 200 and answer.json()["data"]["id"] == iid
    assert set(stopped) <= created | {i["id"] for i in interactions}


def test_no_lost_update(hammered):
    """Final userData = what the create set + the keys of every accepted update - the keys they deleted."""
    _, log, interactions, _ = hammered
    expected: dict[str, dict] = {}
    for entry in log:
        if entry["operation"] == "createInteraction" and entry["status"] == 200:
            expected[entry["data"]["id"]] = dict(entry["body"]["userData"])
    deletions = defaultdict(set)
    for entry in log:
        if entry["operation"].startswith("update") and entry["status"] == 200:
            iid, body = entry["data"]["id"], entry["body"]
            expected.setdefault(iid, {})  # a fixture interaction: compared on our keys only
            expected[iid].update(body.get("changedProperties", {}), **body.get("addedProperties", {}))
            deletions[iid].update(body.get("deletedProperties", []))
    updated = 0
    by_id = {i["id"]: i for i in interactions}
    for iid, data in expected.items():
        for key in deletions[iid]:
            data.pop(key, None)
        final = {k: v for k, v in by_id[iid]["userData"].items() if k in data or k.startswith("k")}
        assert final == data, iid
        updated += any(k.startswith("k") for k in data)
    assert updated > 0


def test_the_journal_holds_exactly_the_requests_made(hammered):
    _, log, _, journal = hammered
    _assert_journal_matches(log, journal, cap=10000)


def _assert_journal_matches(log: list[dict], journal: list[dict], cap: int) -> None:
    made = {entry["trace"]: entry for entry in log}
    assert len(journal) == min(cap, len(log))
    ids = [record["id"] for record in journal]
    assert ids == list(range(len(log) - len(journal) + 1, len(log) + 1))  # the newest, oldest first
    for record in journal:
        headers = {name.lower(): value for name, value in record["headers"].items()}
        entry = made.pop(headers[TRACE.lower()])  # each request once
        assert (record["method"], record["operation"], record["status"]) == \
               (entry["method"], entry["operation"], entry["status"])
        assert record["body"] == entry["body"]


def test_the_journal_keeps_the_newest_up_to_its_cap():
    with MockNexus(fixtures=[str(FIXTURES)], port=0, threads=4, journal_size=60) as server:
        log = _run_clients(server, count=CLIENTS, ops=10)
        journal = _admin(server, "requests")["requests"]
    _assert_journal_matches(log, journal, cap=60)
