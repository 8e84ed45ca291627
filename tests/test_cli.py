"""The command line (§4): main(argv) without sockets where it can be; one real `mocknexus serve` process."""

import json
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from mocknexus import cli
from mocknexus.cli import build_parser, config_from, main
from mocknexus.serving import server
from tests.conftest import BASE, FIXTURES, KEY, ROOT


def one_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


class FakeServer:
    effective_host, effective_port = "127.0.0.1", 54321


@pytest.fixture
def no_socket(monkeypatch):
    """serve() without binding, serving or touching the test run's signal handlers; records what it got."""
    seen = {}

    def make_server(app, config):
        seen.update(app=app, config=config)
        return FakeServer()

    monkeypatch.setattr(server, "make_server", make_server)
    monkeypatch.setattr(server, "run_until_stopped", lambda srv, stopping, *a, **k: seen.update(ran=srv))
    monkeypatch.setattr(cli.signal, "signal", lambda signum, handler: seen.setdefault("signals", []).append(signum))
    return seen


def test_every_serve_flag_reaches_the_config():
    args = build_parser().parse_args([
        "serve", "--host", "0.0.0.0", "--port", "0", "--fixtures", "a", "--fixtures", "b", "--api-key", "k1",
        "--api-key", "k2", "--threads", "3", "--retain-stopped", "--strict", "--id-style", "genesys", "--seed", "9",
        "--max-body", "100", "--journal-size", "7", "--max-namespaces", "5", "--allow-header-faults",
        "--admin-token", "t",
    ])
    config = config_from(args)
    assert (config.host, config.port, config.fixtures, config.api_keys, config.threads) == (
        "0.0.0.0", 0, ["a", "b"], ["k1", "k2"], 3)
    assert config.settings.to_json() == {"strict": True, "retainStopped": True, "idStyle": "genesys", "maxBody": 100}
    assert (config.seed, config.journal_size, config.max_namespaces) == (9, 7, 5)
    assert config.allow_header_faults and config.admin_token == "t" and config.access_log


def test_the_serving_flags_reach_the_config():
    config = config_from(build_parser().parse_args(
        ["serve", "--max-connections", "5", "--max-admin-body", "10", "--access-log", "off"]))
    assert (config.max_connections, config.max_admin_body, config.access_log) == (5, 10, False)
    default = config_from(build_parser().parse_args(["serve"]))
    assert (default.max_connections, default.max_admin_body, default.access_log) == (1000, 64 * 1024 * 1024, True)


def test_serve_defaults_match_the_contract():
    config = config_from(build_parser().parse_args(["serve"]))
    assert (config.host, config.port, config.fixtures, config.api_keys) == ("127.0.0.1", 8080, [], [])
    assert config.settings.to_json() == {"strict": False, "retainStopped": False, "idStyle": "uuid",
                                         "maxBody": 1024 * 1024}
    assert (config.seed, config.journal_size, config.max_namespaces, config.admin_token) == (None, 10000, 1000, None)


def test_serve_prints_the_listening_line_and_serves(no_socket, capsys):
    assert main(["serve", "--port", "0", "--fixtures", str(FIXTURES), "--strict"]) == 0
    out = capsys.readouterr().out
    assert out == "mocknexus listening on http://127.0.0.1:54321\nmocknexus dashboard: http://127.0.0.1:54321/__admin/ui\n"
    assert isinstance(no_socket["ran"], FakeServer)
    assert {signal.SIGTERM, signal.SIGINT} <= set(no_socket["signals"])
    app = no_socket["app"]
    assert app.extensions["mocknexus.config"].settings.strict
    assert "crm-tasks" in app.extensions["mocknexus"].default.services


@pytest.mark.parametrize("argv, problem", [
    (["serve", "--port", "70000"], "argument --port: must be 0-65535, not 70000"),
    (["serve", "--port", "eighty"], "argument --port: invalid port number value: 'eighty'"),
    (["serve", "--threads", "0"], "argument --threads: must be at least 1, not 0"),
    (["serve", "--max-body", "-1"], "argument --max-body: must be at least 1, not -1"),
    (["serve", "--id-style", "snowflake"], "argument --id-style: invalid choice: 'snowflake'"),
    (["serve", "--seed", "x"], "argument --seed: invalid int value: 'x'"),
    (["check"], "the following arguments are required: FIXTURES"),
    (["launch"], "argument COMMAND: invalid choice: 'launch'"),
])
def test_bad_flags_exit_2_with_one_line(capsys, argv, problem):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("mocknexus: error: ") and problem in line, line
    assert "--help" in line


@pytest.mark.parametrize("argv, line", [
    ([], "name a command: serve, check, health, openapi, drift (see 'mocknexus --help')"),
    (["--bogus"], "unrecognized arguments: --bogus (see 'mocknexus --help')"),
    (["--bogus", "--other"], "unrecognized arguments: --bogus --other (see 'mocknexus --help')"),
    (["serve", "--bogus"], "unrecognized arguments: --bogus (see 'mocknexus serve --help')"),
    (["serve", "extra"], "unrecognized arguments: extra (see 'mocknexus serve --help')"),
    (["check", "x", "--bogus"], "unrecognized arguments: --bogus (see 'mocknexus check --help')"),
    (["serve", "--port", "x"], "argument --port: invalid port number value: 'x' (see 'mocknexus serve --help')"),
])
def test_errors_point_at_the_help_of_the_command_given(capsys, argv, line):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert one_line(capsys.readouterr().err) == f"mocknexus: error: {line}"


def test_check_good_fixtures(capsys):
    assert main(["check", str(FIXTURES)]) == 0
    assert capsys.readouterr().out.startswith("ok: 4 services, 0 API keys, 3 interactions")


def test_check_bad_fixtures_lists_each_problem(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"services": ["s"], "interactions": [{"openMediaService": "s", "state": "x"},
                                                                   {"openMediaService": "s", "userData": []}]}))
    assert main(["check", str(FIXTURES), str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [f"{bad}: $.interactions[0].state: Must be one of: queued, routing, handling, stopped.",
                                f"{bad}: $.interactions[1].userData: Not a valid mapping type."]


def test_serve_with_a_bad_fixture_stops_with_one_line(tmp_path, no_socket, capsys):
    bad = tmp_path / "broken.json"
    bad.write_text('{"interactions": [{"openMediaService": "nowhere"}]}')
    assert main(["serve", "--port", "0", "--fixtures", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "app" not in no_socket  # nothing started half-loaded
    assert one_line(captured.err) == (
        f"mocknexus: bad fixture: {bad}: $.interactions[0].openMediaService: names no service: 'nowhere'")


def test_serve_on_a_port_in_use_stops_with_one_line(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith(f"mocknexus: cannot listen on 127.0.0.1:{port}: ")


def test_python_dash_m_and_the_console_script():
    result = subprocess.run([sys.executable, "-m", "mocknexus", "check", str(FIXTURES)], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("ok: "), result.stderr
    result = subprocess.run([sys.executable, "-m", "mocknexus", "serve", "--port", "x"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and one_line(result.stderr).startswith("mocknexus: error: ")


def _console_script() -> list[str]:
    script = Path(sys.executable).with_name("mocknexus")
    return [str(script)] if script.exists() else [sys.executable, "-m", "mocknexus"]


def test_a_real_serve_process_logs_requests_and_stops_on_sigterm():
    proc = subprocess.Popen([*_console_script(), "serve", "--port", "0", "--fixtures", str(FIXTURES)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert select.select([proc.stdout], [], [], 30)[0], "no listening line within 30 s"
        line = proc.stdout.readline()
        assert line.startswith("mocknexus listening on http://127.0.0.1:"), (line, proc.stderr.read())
        root = line.split(" on ", 1)[1].strip()
        assert proc.stdout.readline() == f"mocknexus dashboard: {root}/__admin/ui\n"
        response = requests.get(f"{root}{BASE}/crm-tasks/interactions/ext_ticket-42?", headers=KEY, timeout=10)
        assert response.status_code == 200 and response.json()["data"]["externalId"] == "ticket-42"
        assert select.select([proc.stdout], [], [], 10)[0], "no access-log line"
        log = proc.stdout.readline()
        assert '"GET /nexus/v3/openmedia/crm-tasks/interactions/ext_ticket-42" 200' in log, log
        for n in range(5):  # then SIGTERM at once: lines not yet written out are written before the exit
            requests.get(f"{root}{BASE}/crm-tasks/interactions/ext_last-{n}", headers=KEY, timeout=10)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
        assert time.monotonic() - started < 1.0
        rest = proc.stdout.read()
        assert [f"ext_last-{n}" in rest for n in range(5)] == [True] * 5, rest
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def test_the_package_samples_are_the_repositorys_fixtures():
    """fixtures/ is the source; the package carries the same files for `serve --sample` (setup.cfg package_data)."""
    shipped = sorted(p.name for p in cli.SAMPLES.glob("*.json"))
    assert shipped == sorted(p.name for p in FIXTURES.glob("*.json")) and shipped
    for name in shipped:
        assert (cli.SAMPLES / name).read_bytes() == (FIXTURES / name).read_bytes(), f"copy fixtures/{name} over"
    from setuptools.config.setupcfg import read_configuration  # what the wheel carries, without building one

    patterns = read_configuration(ROOT / "setup.cfg")["options"]["package_data"]["mocknexus"]
    packaged = {p.name for pattern in patterns for p in (ROOT / "mocknexus").glob(pattern)}
    assert packaged >= set(shipped)


def test_serve_sample_loads_the_samples_before_the_fixtures_given(no_socket, tmp_path, capsys):
    extra = tmp_path / "extra.json"
    extra.write_text('{"services": [{"name": "crm-tasks", "mediaType": "overridden"}, "extra"]}')
    assert main(["serve", "--port", "0", "--sample", "--fixtures", str(extra)]) == 0
    services = no_socket["app"].extensions["mocknexus"].default.services
    assert {"crm-tasks", "web-chat", "whatsapp", "email-in", "extra"} == set(services)
    assert services["crm-tasks"].media_type == "overridden"
    assert capsys.readouterr().err == ""


def test_serving_no_service_at_all_says_so_in_one_line(no_socket, capsys):
    assert main(["serve", "--port", "0"]) == 0
    captured = capsys.readouterr()
    assert one_line(captured.err) == ("mocknexus: note: no fixtures loaded, so no service exists (every vendor "
                                      "call is a 404); add some with --fixtures PATH, --sample, or PUT /__admin/state")
    assert captured.out.splitlines()[0] == "mocknexus listening on http://127.0.0.1:54321"


@pytest.mark.parametrize("host", ["999.1.1.1", "nosuchhost.invalid"])
def test_an_unresolvable_host_stops_with_one_line(capsys, host):
    assert main(["serve", "--host", host, "--port", "0"]) == 2
    assert one_line(capsys.readouterr().err) == (
        f"mocknexus: cannot listen on {host}:0: no such address (the host does not resolve)")


def test_openapi_into_a_pipe_closed_early_prints_no_traceback():
    """`mocknexus openapi | head`: the reader goes away before the ~90 KB document is written."""
    proc = subprocess.Popen([*_console_script(), "openapi"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # before the child has imported anything: its first write meets a closed pipe
    assert proc.wait(timeout=60) == 1
    assert proc.stderr.read() == b""
    proc.stderr.close()
