"""Contract §9 and README "Limits": every way a client can make a `mocknexus serve` process keep memory, with
or without a key, grows its RSS by no more than the documented limits allow (journal bodies 64 KiB, 1000
fault rules, no namespace for a refused request)."""

import json
from pathlib import Path

import requests

from mocknexus.state.faults import MAX_RULES
from mocknexus.state.journal import BODY_LIMIT
from tests.serving.test_shutdown import Served

BASE = "/nexus/v3/openmedia/crm-tasks/interactions"
MIB = 1 << 20
BIG = 1000 * 1024  # under the default --max-body of 1 MiB
ROUNDS = 30


def rss(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) * 1024


def _attack(root: str, session: requests.Session, n: int) -> int:
    """One round of every way to make the server keep something; returns how many journal records it made."""
    wrong, key = {"x-api-key": "wrong"}, {"x-api-key": "k"}
    body = b"x" * BIG
    assert session.post(root + BASE, data=body, headers=wrong, timeout=60).status_code == 401
    assert session.post(f"{root}/__ns/evil{n}{BASE}", data=body, headers=wrong, timeout=60).status_code == 401
    deep = ("[" * 900 + "]" * 900).encode()
    assert session.post(root + BASE, data=deep, headers=wrong, timeout=60).status_code == 401
    big_json = json.dumps({"data": {"blob": "y" * (BIG - 100)}}).encode()
    assert session.post(f"{root}/__ns/kept{BASE}", data=big_json, headers=key, timeout=60).status_code == 200
    unknown = json.dumps({f"f{i}" * 50: 1 for i in range(2000)}).encode()
    assert session.post(f"{root}/__ns/kept{BASE}", data=unknown, headers=key, timeout=60).status_code == 200
    bad_seed = json.dumps({"interactions": [{"openMediaService": "nope", "userData": {"x": "z" * 1000}}] * 2000})
    assert session.post(f"{root}/__ns/kept/__admin/interactions", data=bad_seed, timeout=60).status_code == 400
    return 4  # the default namespace's 401s (2), and the two creates in `kept`; evil{n} was never made


def _fill_fault_rules(root: str, session: requests.Session) -> None:
    rule = {"match": {"path": "^/nexus/v3/openmedia/[a-z-]+/interactions/ext_[0-9a-f]{8}$"},
            "action": {"status": 503, "body": {"why": "w" * 1000}}, "times": 1}
    for _ in range(MAX_RULES):
        assert session.post(root + "/__ns/rules/__admin/faults", json=rule, timeout=60).status_code == 200
    for _ in range(20):
        assert session.post(root + "/__ns/rules/__admin/faults", json=rule, timeout=60).status_code == 400


def test_rss_stays_within_the_documented_limits_whatever_clients_send():
    server = Served("--api-key", "k", "--max-namespaces", "5")
    try:
        _attack_and_measure(server)
    finally:
        server.kill()


def _attack_and_measure(server: Served) -> None:
    session = requests.Session()
    records = sum(_attack(server.root, session, n) for n in range(3))  # warm: every buffer and code path
    before = rss(server.proc.pid)
    records = sum(_attack(server.root, session, n) for n in range(3, ROUNDS))
    _fill_fault_rules(server.root, session)
    after = rss(server.proc.pid)
    namespaces = [n["name"] for n in session.get(server.root + "/__admin/namespaces", timeout=10).json()["namespaces"]]
    assert namespaces == ["default", "kept", "rules"]
    # What the limits allow it to keep: each journal record's body at most BODY_LIMIT, each rule about as much
    # as its body and pattern; 32 MiB for what the allocator keeps of ~200 MiB of transient bodies.
    allowed = records * BODY_LIMIT + MAX_RULES * 8 * 1024 + 32 * MIB
    grown = after - before
    print(f"RSS {before / MIB:.0f} -> {after / MIB:.0f} MiB: grew {grown / MIB:.1f} MiB, "
          f"limits allow {allowed / MIB:.1f} MiB ({records} records, {MAX_RULES} rules)")
    assert grown < allowed, f"RSS grew by {grown / MIB:.1f} MiB, more than the {allowed / MIB:.1f} MiB allowed"
    assert session.get(server.root + "/__admin/health", timeout=10).status_code == 200
    journal = session.get(server.root + "/__admin/requests", timeout=30).json()["requests"]
    assert [r["body"] for r in journal[-2:]] == [{"truncated": True, "bytes": BIG, "head": "x" * 1024},
                                                 "[" * 900 + "]" * 900]  # 900 levels: kept as text
    took, status, _ = server.terminate()
    assert status == 0
