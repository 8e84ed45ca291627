"""The pytest plugin (registered by the pytest11 entry point): fixtures only, over MockNexus and the admin client.

Everything heavy (Flask, waitress, marshmallow, requests) is imported inside the fixtures, so a pytest run
that never asks for `mocknexus` pays nothing for having it installed."""

from pathlib import Path

import pytest

MARKER_OPTIONS = ("fixtures", "strict", "retain_stopped", "id_style", "max_body")


def pytest_addoption(parser):
    group = parser.getgroup("mocknexus", "mocknexus (fake Genesys Nexus v3 API)")
    group.addoption("--mocknexus-fixtures", action="append", default=[], metavar="PATH",
                    help="fixture file or folder for the session's mocknexus server; repeatable")
    group.addoption("--mocknexus-url", metavar="URL",
                    help="use the mocknexus already running at URL (e.g. http://mocknexus:8080) instead of "
                         "starting one; each test still gets its own namespace")
    group.addoption("--mocknexus-admin-token", metavar="TOKEN",
                    help="the --admin-token of the server at --mocknexus-url")
    parser.addini("mocknexus_fixtures", type="paths", default=[],
                  help="fixture files or folders for mocknexus (relative to the ini file)")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "mocknexus(fixtures=[...], strict=None, retain_stopped=None, id_style=None, max_body=None): "
        "extra fixture files/documents and settings for this test's mocknexus namespace only",
    )


class ExternalServer:
    """What `mocknexus_server` is with --mocknexus-url: a server in another process or container."""

    errors = None  # its exceptions stay in its own log

    def __init__(self, root: str):
        self.root = root
        self.url = root + "/nexus/v3"


@pytest.fixture(scope="session")
def mocknexus_server(pytestconfig):
    """The server this test process (one per xdist worker) shares: a MockNexus on port 0 with the
    --mocknexus-fixtures / ini `mocknexus_fixtures` loaded, or the server at --mocknexus-url."""
    url = pytestconfig.getoption("mocknexus_url")
    if url:
        from mocknexus.client import AdminClient, AdminError, server_root

        server = ExternalServer(server_root(url))
        with AdminClient(server.root, token=pytestconfig.getoption("mocknexus_admin_token")) as client:
            try:
                client.health()
            except AdminError as exc:
                pytest.fail(f"--mocknexus-url: {exc}", pytrace=False)
        yield server
        return
    from mocknexus.serving.server import MockNexus, ServerError
    from mocknexus.state.fixtureset import FixtureError

    try:
        server = MockNexus(fixtures=[str(p) for p in _session_fixtures(pytestconfig)], port=0).start()
    except FixtureError as exc:
        pytest.fail("mocknexus: bad fixture: " + "; ".join(exc.lines()), pytrace=False)
    except ServerError as exc:
        pytest.fail(f"mocknexus: {exc}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _mocknexus_http():
    """One HTTP session (kept-alive connections) for every test's admin calls."""
    from requests import Session

    with Session() as session:
        yield session


@pytest.fixture
def mocknexus(request, mocknexus_server, _mocknexus_http):
    """A fresh namespace on the session's server for this test (dropped afterwards), as a Sandbox:
    url, root, api_key, and the admin API bound to the namespace (requests, wait_for, fault, clock, ...)."""
    from mocknexus.client import AdminError
    from mocknexus.sandbox import Sandbox, namespace_name

    options = _marker_options(request.node)
    fixtures = [_resolve(f, request.path) for f in options.pop("fixtures", None) or ()]
    base = None  # the server's own fixtures
    if isinstance(mocknexus_server, ExternalServer) and _session_fixtures(request.config):
        # So the run sees what a local one would: the session's fixtures, whatever the server was started with.
        base = _session_fixtures(request.config)
    try:
        sandbox = Sandbox(mocknexus_server.root, namespace_name(request.node.name), fixtures, options, base,
                          token=request.config.getoption("mocknexus_admin_token"), session=_mocknexus_http)
    except ValueError as exc:  # a fixture file that cannot be read
        pytest.fail(str(exc), pytrace=False)
    try:
        sandbox.open()
    except AdminError as exc:  # fixtures or settings the server refuses
        sandbox.close()
        pytest.fail(f"@pytest.mark.mocknexus / mocknexus fixtures: {exc}", pytrace=False)
    errors = mocknexus_server.errors
    request.node.stash[_ERRORS] = (errors, len(errors)) if errors is not None else None
    yield sandbox
    if isinstance(mocknexus_server, ExternalServer):
        sandbox.close()
    else:  # in this process: no round trip needed
        mocknexus_server.drop_namespace(sandbox.namespace)
        sandbox.close(drop=False)


@pytest.fixture
def mocknexus_webhook_receiver():
    """A webhook receiver on loopback (port 0) for this test: register its `url` (mocknexus.add_webhook), then
    assert on `received` or `wait_for(count)` (each POST: path, headers, exact body bytes, json, event, entity).
    Set `status` (or a list `statuses`) to answer other than 200. A server at --mocknexus-url must be able to
    reach this machine's loopback, so on the same host."""
    from mocknexus.receiver import WebhookReceiver

    with WebhookReceiver() as receiver:
        yield receiver


_ERRORS = pytest.StashKey[tuple | None]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Exceptions the server raised while this test ran (each a 500) fail the test, with their traceback."""
    failure = None
    try:
        return (yield)
    except BaseException as exc:
        failure = exc
        raise
    finally:
        seen = item.stash.get(_ERRORS, None)
        if seen is not None and len(seen[0]) > seen[1]:
            _raise_server_errors(seen[0][seen[1]:], failure)


class MockNexusServerError(Exception):
    """The mocknexus server raised an unexpected exception while serving this test's requests."""


def _raise_server_errors(errors: list, failure) -> None:
    first = errors[0]
    error = MockNexusServerError(f"mocknexus raised {type(first).__name__}: {first} while serving a request of "
                                 f"this test (answered 500); {len(errors)} error(s) in all, the first is below")
    if failure is not None:
        error.add_note(f"The test itself also failed: {type(failure).__name__}: {failure}")
    raise error from first


def _session_fixtures(config) -> list:
    return [*config.getini("mocknexus_fixtures"), *config.getoption("mocknexus_fixtures")]


def _marker_options(node) -> dict:
    """Keyword options of every @pytest.mark.mocknexus on the test, the closest (function) winning."""
    options: dict = {}
    for marker in node.iter_markers("mocknexus"):
        if marker.args:
            pytest.fail("@pytest.mark.mocknexus takes keywords only: "
                        f"{', '.join(MARKER_OPTIONS)}", pytrace=False)
        unknown = sorted(set(marker.kwargs) - set(MARKER_OPTIONS))
        if unknown:
            pytest.fail(f"@pytest.mark.mocknexus: unknown option(s) {', '.join(unknown)}; "
                        f"known: {', '.join(MARKER_OPTIONS)}", pytrace=False)
        for key, value in marker.kwargs.items():
            options.setdefault(key, value)
    if isinstance(options.get("fixtures"), str | Path | dict):
        options["fixtures"] = [options["fixtures"]]
    return {k: v for k, v in options.items() if v is not None}


def _resolve(source, test_path: Path):
    """A marker's fixture path is relative to the test file's folder, else to the current directory
    (documents pass as they are)."""
    if isinstance(source, dict):
        return source
    path = Path(source)
    beside = Path(test_path).parent / path
    return beside if not path.is_absolute() and (beside.exists() or not path.exists()) else path
