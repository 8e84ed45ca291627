"""Contract §9: every admin read (health, namespaces, interactions, state) is answered correctly while writes
run; never a 500. Through a real server: creators in two namespaces, readers of every kind beside them."""

import sys
import threading
import time

import requests

from mocknexus.serving.server import MockNexus
from tests.conftest import FIXTURES

BASE = "/nexus/v3/openmedia/crm-tasks/interactions"
READS = ("/__admin/health", "/__admin/namespaces", "/__admin/interactions", "/__admin/state",
         "/__ns/other/__admin/health")


class AdminReaders:
    """Threads reading the admin API in a loop until stopped; every status they got, by path."""

    def __init__(self, root: str, paths=READS, threads: int = 2):
        self.root, self.paths = root, paths
        self.statuses: dict[str, list[int]] = {path: [] for path in paths}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]

    def _run(self, n: int) -> None:
        session = requests.Session()
        while True:  # one round at least, however soon it is stopped
            for path in self.paths[n % len(self.paths):] + self.paths[:n % len(self.paths)]:
                self.statuses[path].append(session.get(self.root + path, timeout=60).status_code)
            if self._stop.is_set():
                return

    def __enter__(self) -> "AdminReaders":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(120)

    def assert_all_answered(self) -> None:
        for path, statuses in self.statuses.items():
            assert statuses, f"{path} was never read"
            assert set(statuses) == {200}, (path, {s: statuses.count(s) for s in set(statuses)})


def _create(root: str, prefix: str, stop: threading.Event, made: list) -> None:
    session = requests.Session()
    while not stop.is_set():
        response = session.post(root + prefix + BASE, json={"userData": {"n": 1}}, headers={"x-api-key": "k"},
                                timeout=60)
        assert response.status_code == 200, response.text
        made.append(1)


def test_admin_reads_while_creates_run_are_all_200_and_the_counts_add_up():
    with MockNexus(fixtures=[str(FIXTURES)], port=0, threads=8) as server:
        seed = {"interactions": [{"openMediaService": "crm-tasks"} for _ in range(5000)]}
        for _ in range(4):  # 20k to walk: the walk takes long enough for creates to land in it
            assert requests.post(server.root + "/__admin/interactions", json=seed, timeout=60).status_code == 200
        live_before = sum(requests.get(server.root + path, timeout=10).json()["interactions"]
                          for path in ("/__admin/health", "/__ns/other/__admin/health"))
        stop, made = threading.Event(), []
        creators = [threading.Thread(target=_create, args=(server.root, prefix, stop, made))
                    for prefix in ("", "", "/__ns/other", "")]
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-5)  # threads switch 500x as often: a read walking the store sees creates land
        try:
            with AdminReaders(server.root) as readers:
                for creator in creators:
                    creator.start()
                time.sleep(3)
                stop.set()
                for creator in creators:
                    creator.join(60)
        finally:
            sys.setswitchinterval(interval)
        readers.assert_all_answered()
        health = requests.get(server.root + "/__admin/health", timeout=10).json()["interactions"]
        other = requests.get(server.root + "/__ns/other/__admin/health", timeout=10).json()["interactions"]
        assert health + other == live_before + len(made)
        assert not server.errors, server.errors
