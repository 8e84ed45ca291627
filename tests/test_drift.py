"""`mocknexus drift` (§11) against real mocknexus servers standing in for tenants that differ, and its safety rules."""

import json
import re
import socket
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jsonschema
import pytest
import requests

from mocknexus import MockNexus, drift
from mocknexus.cli import main
from mocknexus.client import AdminClient
from mocknexus.drift_checks import CHECKS, plan
from tests.conftest import FIXTURES, ROOT
from tests.test_layers import MODULES, imports_of

SERVICE = "crm-tasks"
PREFIX = "mocknexus-drift-"  # §11, spelled out: not read from the code under test
TAG = re.compile(r"^mocknexus-drift-([0-9a-f]{12})-")


def run_cli(capsys, url, *extra, key="drift-key", service=SERVICE):
    code = main(["drift", "--against", url, "--api-key", key, "--service", service, *extra])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(text: str) -> str:
    assert len(text.splitlines()) == 1 and "Traceback" not in text, text
    return text


def live_drift(root: str) -> list[dict]:
    """The interactions a drift run created that are still live on the target (read through the admin API)."""
    return [i for i in AdminClient(root).interactions()
            if (i["externalId"] or "").startswith(PREFIX) and i["state"] != "stopped"]


def by_check(doc: dict) -> dict:
    return {row["check"]: row for row in doc["checks"]}


@contextmanager
def server(**settings):
    with MockNexus(fixtures=[str(FIXTURES)], port=0, **settings) as nexus:
        yield nexus
        assert not nexus.errors
        assert live_drift(nexus.root) == []  # after every run: nothing the check created is live


class Counting:
    """WSGI middleware: how many requests arrived, and the most that were in flight at once. Each request takes
    5 ms longer, so calls sent side by side would overlap here."""

    def __init__(self, app):
        self.app, self.lock, self.count, self.now, self.most = app, threading.Lock(), 0, 0, 0

    def __call__(self, environ, start_response):
        with self.lock:
            self.count, self.now = self.count + 1, self.now + 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(0.005)
            return self.app(environ, start_response)
        finally:
            with self.lock:
                self.now -= 1


@pytest.fixture
def counted():
    nexus = MockNexus(fixtures=[str(FIXTURES)], port=0)
    nexus.app.wsgi_app = counter = Counting(nexus.app.wsgi_app)
    with nexus:
        yield nexus, counter
        assert live_drift(nexus.root) == []


@contextmanager
def stand_in(answer):
    """A tiny http.server on loopback: `answer(method, path)` → (status, content type, body bytes)."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def reply(self):
            seen.append((self.command, self.path))
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, kind, body = answer(self.command, self.path)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = reply

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_default_server_is_the_same_on_every_check(capsys):
    with server() as nexus:
        code, out, _ = run_cli(capsys, nexus.root, "--json")
        doc = json.loads(out)
        jsonschema.validate(doc, drift.REPORT_SCHEMA)
        assert code == 0 and doc["exit"] == 0 and doc["flags"] == []
        assert [row["check"] for row in doc["checks"]] == [check.name for check in CHECKS]
        assert {row["verdict"] for row in doc["checks"]} == {"same"}
        assert all(row["observed"] == row["mocknexus"] for row in doc["checks"])
        # the plan, and one stop afterwards: of the create with an unknown field, which the default ignores
        assert (doc["target"], doc["service"], doc["calls"]) == (nexus.root, SERVICE, len(plan("t", "t")) + 1)

        code, out, _ = run_cli(capsys, nexus.root)
        lines = out.splitlines()
        assert code == 0 and lines[-1] == "serve flags: none needed"
        assert len(lines) == len(CHECKS) + 2 and all(line.endswith("  same") for line in lines[1:-1])
        assert max(len(line) for line in lines) <= 100


def test_a_genesys_retaining_strict_tenant_gets_exactly_those_flags(capsys):
    with server(id_style="genesys", retain_stopped=True, strict=True) as nexus:
        code, out, _ = run_cli(capsys, nexus.root, "--json")
        doc = json.loads(out)
        jsonschema.validate(doc, drift.REPORT_SCHEMA)
        assert code == 0 and doc["flags"] == ["--id-style genesys", "--retain-stopped", "--strict"]
        rows = by_check(doc)
        assert rows["id style"]["observed"] == "genesys"
        assert rows["after a stop"]["observed"] == "200 stopped / 409 / 409"
        assert rows["unknown body field"]["verdict"] == "differs → --strict"
        others = set(rows) - {"id style", "after a stop", "unknown body field"}
        assert {rows[name]["verdict"] for name in others} == {"same"}

        code, out, _ = run_cli(capsys, nexus.root)
        assert code == 0 and out.splitlines()[-1] == "serve flags: --id-style genesys --retain-stopped --strict"
        assert "differs → --id-style genesys" in out and max(len(line) for line in out.splitlines()) <= 100


def test_the_readme_sample_is_what_the_command_prints(capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Is the mock right for my tenant?", 1)[1]
    sample = section.split("A sample report", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    assert f"{len(plan('t', 't'))} calls (`--dry-run` lists them)" in section
    with server(id_style="genesys", retain_stopped=True, strict=True) as nexus:
        assert run_cli(capsys, nexus.root)[1] == sample


def test_string_error_codes_have_no_setting(capsys):
    body = {"status": {"code": "INTERACTION_NOT_FOUND_IN_THIS_SERVICE", "message": "Not found"}}
    with server() as nexus:
        AdminClient(nexus.root).fault(operation="getInteractionByExternalId", status=404, body=body)
        code, out, _ = run_cli(capsys, nexus.root, "--json")
        rows = by_check(json.loads(out))
        assert code == 1
        assert rows["error envelope"]["verdict"] == "differs, no setting"
        assert rows["error envelope"]["observed"] == "string codes (INTERACTION_NOT_FOUND_IN_THIS_SERVICE)"
        assert {row["verdict"] for name, row in rows.items() if name != "error envelope"} == {"same"}

        code, out, _ = run_cli(capsys, nexus.root)
        assert code == 1 and out.splitlines()[-1] == "serve flags: none needed (1 difference has no setting)"
        assert max(len(line) for line in out.splitlines()) <= 100  # the long code is cut to its column


def test_checks_that_need_a_failed_create_are_not_checked(capsys):
    with server() as nexus:
        AdminClient(nexus.root).fault(operation="createInteraction", status=400, times=1)  # the first create only
        code, out, _ = run_cli(capsys, nexus.root, "--json")
    doc = json.loads(out)
    jsonschema.validate(doc, drift.REPORT_SCHEMA)
    rows = by_check(doc)
    assert code == 1 and rows["success envelope"]["observed"] == "400, code 400"
    assert rows["409 on duplicate"]["verdict"] == "differs, no setting"  # the second create was the first to work
    assert {rows[name]["verdict"] for name in ("after a stop", "update order", "trailing ?", "401 without key")} == {
        "not checked"}
    assert rows["unknown body field"]["verdict"] == "same"


def test_an_unreachable_target_is_one_line_and_exit_2(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    code, out, err = run_cli(capsys, f"http://127.0.0.1:{port}")
    assert code == 2 and out == ""
    assert one_line(err) == f"mocknexus drift: cannot reach http://127.0.0.1:{port}: Connection refused\n"


def test_a_silent_target_is_given_up_after_the_timeout(capsys):
    with socket.socket() as sock:  # listens (the connection is made) and never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        started = time.monotonic()
        code, _, err = run_cli(capsys, f"http://127.0.0.1:{sock.getsockname()[1]}", "--timeout", "0.3")
    assert code == 2 and "did not answer within 0.3 s" in one_line(err)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("kind, body, says", [
    ("text/html", b"<html><body>Welcome to nginx!</body></html>", "no JSON, not the Nexus API"),
    ("application/json", b"[1, 2, 3]", "JSON, not the Nexus API"),
    ("application/json", b'{"a": "' + b"x" * (2 * 1024 * 1024) + b'"}', "over 1 MiB"),
])
def test_a_target_that_is_not_the_api_is_one_line_and_exit_2(capsys, kind, body, says):
    with stand_in(lambda method, path: (200, kind, body)) as (url, seen):
        code, _, err = run_cli(capsys, url)
    assert code == 2 and says in one_line(err)
    assert [method for method, _ in seen] == ["GET"]  # stopped at the read-only probe: nothing was created


def test_a_refused_key_is_one_line_and_exit_2_and_creates_nothing(capsys):
    with server(api_keys=["the-right-key"]) as nexus:
        code, _, err = run_cli(capsys, nexus.root, key="a-wrong-key")
        journal = AdminClient(nexus.root).requests()
    assert code == 2 and "with 401: it refuses the API key" in one_line(err)
    assert [entry["operation"] for entry in journal] == ["getInteractionByExternalId"]


def test_dry_run_prints_the_calls_and_sends_none(capsys, counted):
    nexus, counter = counted
    code, out, _ = run_cli(capsys, nexus.root, "--dry-run")
    assert code == 0 and counter.count == 0
    calls = [line for line in out.splitlines() if line.startswith(("GET ", "POST "))]
    assert len(calls) == len(plan("t", "t"))
    assert all(f" {nexus.root}/nexus/v3/openmedia/{SERVICE}/interactions" in line for line in calls)
    assert "drift-key" not in out  # the key is not printed


def test_safety_one_service_prefixed_ids_one_call_at_a_time(capsys, counted):
    nexus, counter = counted
    admin = AdminClient(nexus.root)
    others = [i for i in admin.interactions() if i["openMediaService"] != SERVICE]
    tags = set()
    for _ in range(2):
        admin.clear_requests()
        assert run_cli(capsys, nexus.root)[0] == 0
        journal = admin.requests()
        assert {entry["service"] for entry in journal} == {SERVICE}
        assert all(entry["path"].startswith(f"/nexus/v3/openmedia/{SERVICE}/interactions") for entry in journal)
        sent = [e["body"]["externalId"] for e in journal if isinstance(e["body"], dict) and "externalId" in e["body"]]
        sent += [m.group(1) for e in journal if (m := re.search(r"/ext_([^/]+)", e["path"]))]
        assert len(sent) >= 6 and all(TAG.match(ext) for ext in sent)
        tags |= {TAG.match(ext).group(1) for ext in sent}
    assert len(tags) == 2  # one random part per run, a new one each run
    assert counter.most == 1 and counter.count <= drift.MAX_CALLS
    assert [i for i in admin.interactions() if i["openMediaService"] != SERVICE] == others


def test_the_trailing_question_mark_is_sent_as_such(capsys):
    ok = json.dumps({"status": {"code": 0, "message": "OK"}, "data": {"id": "X1"}}).encode()
    with stand_in(lambda method, path: (200, "application/json", ok)) as (url, seen):
        run_cli(capsys, url)
    assert [path for _, path in seen if path.endswith("?")] == [f"/nexus/v3/openmedia/{SERVICE}/interactions/X1?"]


def test_no_more_than_60_calls(live_server):
    target = drift.Target(live_server.root, SERVICE, "k")
    for _ in range(drift.MAX_CALLS):
        target.send("GET", "/interactions/ext_nobody")
    with pytest.raises(drift.TargetError, match="limit of 60 calls"):
        target.send("GET", "/interactions/ext_nobody")
    assert len(AdminClient(live_server.root).requests()) == drift.MAX_CALLS
    assert len(plan("t", "t")) + sum(bool(step.creates) for step in plan("t", "t")) <= drift.MAX_CALLS


def failing_session(at: int | set, error: type[BaseException]):
    """A Session whose call number `at` (or each of a set) reaches the server and then raises `error`, as if it
    came while the answer was on its way (the create happened; its id never arrived)."""
    at = at if isinstance(at, set) else {at}

    class Failing(requests.Session):
        calls = 0

        def send(self, *args, **kwargs):
            Failing.calls += 1
            response = super().send(*args, **kwargs)
            if Failing.calls in at:
                response.close()
                raise error()
            return response

    return Failing()


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_every_interaction_is_stopped_whenever_the_run_breaks(live_server, error):
    steps = plan("0123456789ab", "463ac35c9f6413ad")
    for at in range(1, len(steps) + 2):  # the last: a second one, on the stop that cleans up
        target = drift.Target(live_server.root, SERVICE, "k", session=failing_session(at, error))
        with pytest.raises(error):
            drift.run(target, steps)
        assert live_drift(live_server.root) == [], f"left live after a {error.__name__} at call {at}"


def test_a_second_ctrl_c_while_cleaning_up_still_stops_the_rest(live_server):
    # Call 9 (the float create) is interrupted with the first and the unknown-field interactions live; call 10
    # (the stop of the first) is interrupted again: the unknown-field one must still be stopped.
    target = drift.Target(live_server.root, SERVICE, "k", session=failing_session({9, 10}, KeyboardInterrupt))
    with pytest.raises(KeyboardInterrupt):
        drift.run(target, plan("0123456789ab", "463ac35c9f6413ad"))
    # three stops: the first, the unknown-field one, and the float one by externalId (its answer was lost)
    assert target.calls == 12 and live_drift(live_server.root) == []


def test_ctrl_c_is_one_line_exit_130_and_leaves_nothing_live(capsys, live_server, monkeypatch):
    monkeypatch.setattr(drift, "Session", lambda: failing_session(3, KeyboardInterrupt))
    code, out, err = run_cli(capsys, live_server.root)
    assert code == 130 and out == "" and "interrupted" in one_line(err)
    assert live_drift(live_server.root) == []


@pytest.mark.parametrize("flag, value, says", [
    ("--against", "ftp://example.com", "--against must be an http:// or https:// URL"),
    ("--against", "http://127.0.0.1:9/?tenant=1", "without a query"),
    ("--service", "..", "--service must name a service"),
    ("--timeout", "0", "--timeout must be above 0"),
    ("--timeout", "inf", "at most 3600 s, not inf"),
    ("--timeout", "nan", "--timeout must be above 0"),
])
def test_bad_arguments_are_one_line_and_exit_2(capsys, flag, value, says):
    args = {"--against": "http://127.0.0.1:9", "--service": SERVICE, "--timeout": "1", flag: value}
    code = main(["drift", "--api-key", "k", *[part for item in args.items() for part in item]])
    _, err = capsys.readouterr()
    assert code == 2 and says in one_line(err)


def test_drift_is_a_client_and_uses_nothing_of_the_server():
    for name in ("mocknexus.drift", "mocknexus.drift_checks"):
        ours = {imported for _, imported in imports_of(name, MODULES[name]) if imported.startswith("mocknexus")}
        assert all(imported.startswith("mocknexus.drift_checks.") for imported in ours), (name, ours)
