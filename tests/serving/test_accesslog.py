"""The access log (accesslog.py): a line per request, in order, written by its thread, none lost."""

import threading
import time

from mocknexus.serving.accesslog import AccessLog


class _Req:
    def __init__(self, path: str, query: str = ""):
        self.environ = {"QUERY_STRING": query}
        self.remote_addr, self.method, self.path = "127.0.0.1", "GET", path


def test_a_request_only_queues_its_line_and_flush_writes_it(capsys):
    log = AccessLog(interval=3600)  # the thread sleeps through the test
    log.request(_Req("/x", "a=1"), 200)
    assert capsys.readouterr().out == ""  # no write on the request's path
    log.flush()
    line = capsys.readouterr().out
    assert line.startswith("127.0.0.1 - [") and line.endswith('] "GET /x?a=1" 200\n')


def test_lines_from_many_threads_all_arrive_in_order(capsys):
    log = AccessLog(interval=0.01)

    def requests(thread: int):
        for n in range(500):
            log.request(_Req(f"/t{thread}/{n}"), 200)

    threads = [threading.Thread(target=requests, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deadline = time.monotonic() + 5
    lines: list[str] = []
    while len(lines) < 4000 and time.monotonic() < deadline:  # the log's own thread writes them
        time.sleep(0.02)
        lines += capsys.readouterr().out.splitlines()
    assert len(lines) == 4000
    for t in range(8):
        mine = [line.split('"GET ')[1].split('"')[0] for line in lines if f'"GET /t{t}/' in line]
        assert mine == [f"/t{t}/{n}" for n in range(500)]
