"""The pytest plugin, through pytester: the README's example file passes serially, under xdist and against an
external server; namespaces keep tests apart; markers do not leak; server errors fail the test; lazy imports."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mocknexus import MockNexus
from mocknexus.client import AdminClient
from tests.conftest import FIXTURES, ROOT

pytest_plugins = ["pytester"]

HEAVY = ("flask", "waitress", "marshmallow", "werkzeug")  # not requests: a user's test file imports it

# Tests a user could write, beyond the README's: what the plugin promises between tests.
ISOLATION_TESTS = '''
import pytest
import requests
from mocknexus.client import AdminClient


def create(nexus, external_id):
    return requests.post(nexus.url + "/openmedia/crm-tasks/interactions", json={"externalId": external_id},
                         headers={"x-api-key": nexus.api_key}, timeout=5)


@pytest.mark.parametrize("run", [1, 2])
def test_same_external_id_never_collides(mocknexus, run):
    assert create(mocknexus, "shared-ext").status_code == 200  # a shared namespace would answer 409 once


@pytest.mark.mocknexus(strict=True, retain_stopped=True, id_style="genesys", fixtures=["extra.json"])
def test_marker_applies(mocknexus):
    assert mocknexus.settings() == {"strict": True, "retainStopped": True, "idStyle": "genesys",
                                    "maxBody": 1048576}
    assert [i["externalId"] for i in mocknexus.interactions(service="extra-svc")] == ["from-marker"]
    assert mocknexus.api_key == "marker-key"


def test_marker_does_not_leak(mocknexus):
    assert mocknexus.settings() == {"strict": False, "retainStopped": False, "idStyle": "uuid",
                                    "maxBody": 1048576}
    assert mocknexus.interactions(service="extra-svc") == []
    assert create(mocknexus, "ticket-42").status_code == 409  # the session's fixtures are there


def test_namespaces_of_earlier_tests_are_gone(mocknexus, mocknexus_server):
    mocknexus.health()  # makes this test's namespace
    names = {n["name"] for n in AdminClient(mocknexus_server.root).namespaces()}
    assert names == {"default", mocknexus.namespace}
'''

# Which process ran each test, on which server (RECORD is replaced by a path).
RECORDING_CONFTEST = '''
import json, os
import pytest


@pytest.fixture(autouse=True)
def _record_server(mocknexus_server):
    with open(RECORD, "a") as out:
        out.write(json.dumps([os.environ.get("PYTEST_XDIST_WORKER", "main"), mocknexus_server.root]) + "\\n")
'''

# Collected in a fresh process (xdist worker): what pytest start-up with the plugin loaded has imported.
STARTUP_TEST = f'''
import sys

HEAVY_AT_COLLECTION = sorted(m for m in {HEAVY!r} if m in sys.modules)


def test_nothing_heavy_imported_at_collection():
    assert HEAVY_AT_COLLECTION == []
'''

EXTRA_FIXTURE = {"services": ["extra-svc"], "apiKeys": ["marker-key"],
                 "interactions": [{"openMediaService": "extra-svc", "externalId": "from-marker"}]}


def readme_example() -> str:
    """The first python block of the README's '## pytest' section: the example users copy."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## pytest\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.fixture
def user_project(pytester, tmp_path):
    """A user's project: the README example, the isolation tests, an ini naming the fixtures."""
    record = tmp_path / "workers.jsonl"
    pytester.makefile(".py", test_tickets=readme_example())
    pytester.makefile(".py", test_isolation=ISOLATION_TESTS)
    pytester.makeconftest(RECORDING_CONFTEST.replace("RECORD", repr(str(record))))
    pytester.makefile(".json", extra=json.dumps(EXTRA_FIXTURE))
    pytester.makeini(f"[pytest]\nmocknexus_fixtures = {FIXTURES}\n")
    return record


def outcomes_of(record: Path) -> list:
    return [json.loads(line) for line in record.read_text().splitlines()]


def test_user_tests_pass_serially(pytester, user_project):
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(passed=10)
    assert len({tuple(record) for record in outcomes_of(user_project)}) == 1  # one process, one server


def test_user_tests_pass_under_xdist_with_a_server_per_worker(pytester, user_project):
    pytester.makefile(".py", test_startup=STARTUP_TEST)
    # Plugins this venv may hold that the user's run does not need cost seconds of start-up per process.
    quiet = ["-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:anyio"]
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", *quiet)
    result.assert_outcomes(passed=11)
    servers = dict(outcomes_of(user_project))
    assert set(servers) == {"gw0", "gw1"} and len(set(servers.values())) == 2


def test_user_tests_pass_against_an_external_server(pytester, user_project, live_server):
    result = pytester.runpytest_inprocess(f"--mocknexus-url={live_server.url}")
    result.assert_outcomes(passed=10)
    assert {root for _, root in outcomes_of(user_project)} == {live_server.root}
    assert [n["name"] for n in AdminClient(live_server.root).namespaces()] == ["default"]


def test_server_errors_fail_the_test_that_caused_them(pytester):
    pytester.makepyfile(test_bug='''
        import requests

        def test_server_bug(mocknexus, monkeypatch):
            def bug(*args, **kwargs):
                raise ZeroDivisionError("a bug in the fake")
            monkeypatch.setattr("mocknexus.state.store.InteractionStore.get_interaction", bug)
            url = mocknexus.url + "/openmedia/crm-tasks/interactions/some-id"
            assert requests.get(url, headers={"x-api-key": "k"}, timeout=5).status_code == 500

        def test_next_one_is_clean(mocknexus):
            assert len(mocknexus.interactions()) == 3
    ''')
    # --mocknexus-fixtures is repeatable: the two files of the repository's fixtures folder.
    files = [f"--mocknexus-fixtures={FIXTURES / name}" for name in ("services.json", "interactions.json")]
    result = pytester.runpytest_inprocess(*files)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*ZeroDivisionError: a bug in the fake*",
        "*MockNexusServerError: mocknexus raised ZeroDivisionError: a bug in the fake while serving a request "
        "of this test (answered 500)*",
    ])


def test_bad_marker_and_bad_fixture_are_one_line_errors(pytester):
    pytester.makepyfile(test_bad='''
        import pytest

        @pytest.mark.mocknexus(strickt=True)
        def test_typo(mocknexus):
            pass

        @pytest.mark.mocknexus(fixtures=["missing.json"])
        def test_missing_file(mocknexus):
            pass

        @pytest.mark.mocknexus(fixtures=[{"interactions": [{"openMediaService": "nowhere"}]}], strict=True)
        def test_refused_fixture(mocknexus):
            pass
    ''')
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(errors=3)
    result.stdout.fnmatch_lines([
        "*@pytest.mark.mocknexus: unknown option(s) strickt; known: fixtures, strict,*",
        "*mocknexus fixtures: *missing.json: *No such file*",
        "*mocknexus PUT /__ns/test_refused_fixture-*/__admin/state → 400: Invalid fixture data*names no service*",
    ])
    assert "Traceback" not in result.stdout.str()


def test_plugin_module_imports_nothing_heavy():
    heavy = (*HEAVY, "requests")
    code = f"import sys, mocknexus.pytest_plugin; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == ""


def test_session_problems_are_one_line_errors(pytester):
    pytester.makepyfile(test_any="def test_any(mocknexus):\n    pass\n")
    result = pytester.runpytest_inprocess("--mocknexus-fixtures=missing.json")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*mocknexus: bad fixture: missing.json: $: no such file*"])
    result = pytester.runpytest_inprocess("--mocknexus-url=http://127.0.0.1:9")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*--mocknexus-url: mocknexus GET /__admin/health → no answer: cannot reach*"])


def test_external_server_with_an_admin_token(pytester):
    pytester.makepyfile(test_any="def test_any(mocknexus):\n    assert mocknexus.settings()['strict'] is False\n")
    with MockNexus(port=0, admin_token="s3cret") as nexus:
        result = pytester.runpytest_inprocess(f"--mocknexus-url={nexus.root}")
        result.assert_outcomes(errors=1)
        result.stdout.fnmatch_lines(["*--mocknexus-url: mocknexus GET /__admin/health → 401*"])
        result = pytester.runpytest_inprocess(f"--mocknexus-url={nexus.root}", "--mocknexus-admin-token=s3cret")
        result.assert_outcomes(passed=1)


def test_the_webhook_receiver_example_passes(pytester):
    """The README's contact-center example: the mocknexus handle and the mocknexus_webhook_receiver fixture."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n### A receiver, and the signature check\n", 1)[1].split("\n## ", 1)[0]
    example = re.findall(r"```python\n(.*?)```", section, re.S)[1]
    pytester.makefile(".py", test_agent=example)
    pytester.makeini(f"[pytest]\nmocknexus_fixtures = {FIXTURES}\n")
    pytester.runpytest_inprocess().assert_outcomes(passed=1)
