"""The command line: `mocknexus serve` and `mocknexus check`; main(argv) -> int, testable without a socket."""

import argparse
import ipaddress
import os
import signal
import sys
import threading

from mocknexus import __version__
from mocknexus.core.config import ID_STYLES, ServerConfig, WorldSettings


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        """One line and exit 2, as argparse does, but with our name on it."""
        self.exit(2, f"mocknexus: error: {message} (see 'mocknexus {self.prog.split()[-1]} --help')\n")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0-65535, not {value}")
    return value


_positive.__name__ = "positive integer"  # argparse says "invalid <name> value"
_port.__name__ = "port number"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mocknexus", description="A fake of the Genesys Nexus v3 Open Media API.")
    parser.add_argument("--version", action="version", version=f"mocknexus {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    serve = commands.add_parser("serve", help="serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8080, help="0 picks a free port")
    serve.add_argument("--fixtures", action="append", default=[], metavar="PATH", help="file or folder; repeatable")
    serve.add_argument("--api-key", action="append", default=[], dest="api_keys", metavar="KEY", help="repeatable")
    serve.add_argument("--threads", type=_positive, default=8)
    serve.add_argument("--retain-stopped", action="store_true")
    serve.add_argument("--strict", action="store_true")
    serve.add_argument("--id-style", choices=ID_STYLES, default="uuid")
    serve.add_argument("--seed", type=int)
    serve.add_argument("--max-body", type=_positive, default=1024 * 1024, metavar="BYTES")
    serve.add_argument("--journal-size", type=_positive, default=10000, metavar="N")
    serve.add_argument("--max-namespaces", type=_positive, default=1000, metavar="N")
    serve.add_argument("--allow-header-faults", action="store_true")
    serve.add_argument("--admin-token", metavar="T")
    serve.add_argument("--max-connections", type=_positive, default=1000, metavar="N",
                       help="open connections at once, held requests (delays, waits) included; more wait to connect")
    serve.add_argument("--max-admin-body", type=_positive, default=64 * 1024 * 1024, metavar="BYTES",
                       help="a larger /__admin request body is a 413, answered without reading it")
    serve.add_argument("--access-log", choices=("on", "off"), default="on",
                       help="one line per request on stdout (lines stdout cannot take are dropped and counted)")

    check = commands.add_parser("check", help="validate fixture files")
    check.add_argument("paths", nargs="+", metavar="FIXTURES")

    commands.add_parser("openapi", help="print the OpenAPI document (the same as GET /openapi.json)")
    return parser


def config_from(args) -> ServerConfig:
    return ServerConfig(
        host=args.host, port=args.port, threads=args.threads, fixtures=args.fixtures, api_keys=args.api_keys,
        settings=WorldSettings(strict=args.strict, retain_stopped=args.retain_stopped, id_style=args.id_style,
                               max_body=args.max_body),
        seed=args.seed, journal_size=args.journal_size, max_namespaces=args.max_namespaces,
        allow_header_faults=args.allow_header_faults, admin_token=args.admin_token,
        access_log=args.access_log == "on", max_connections=args.max_connections,
        max_admin_body=args.max_admin_body,
    )


def serve(config: ServerConfig, out=None) -> int:
    """Load, bind, print the listening line, serve until SIGTERM/SIGINT."""
    from mocknexus.serving import gcpolicy, output
    from mocknexus.serving.accesslog import AccessLog
    from mocknexus.serving.server import ServerError, make_server, run_until_stopped
    from mocknexus.state.fixtureset import FixtureError
    from mocknexus.web.app import create_app

    access_log = AccessLog() if config.access_log else None
    try:
        app = create_app(config, access_log=access_log)
        server = make_server(app, config)
    except FixtureError as exc:
        for line in exc.lines():
            print(f"mocknexus: bad fixture: {line}", file=sys.stderr)
        return 2
    except ServerError as exc:
        print(f"mocknexus: {exc}", file=sys.stderr)
        return 2

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
    signal.signal(signal.SIGINT, lambda signum, frame: stopping.set())
    streams = output.Streams()  # from here on nothing written blocks or breaks serving (output.py)
    if access_log is not None:
        access_log.out = streams.stdout
    host = server.effective_host
    if config.admin_token is None and not _is_loopback(config.host):
        print(f"mocknexus: warning: on {config.host} the admin API (/__admin: reset, state, faults) is reachable "
              "from the network; set --admin-token to protect it", file=sys.stderr, flush=True)
    gcpolicy.install()  # the fixtures are loaded: no GC pause grows with them or with the store (gcpolicy.py)
    print(f"mocknexus listening on http://{f'[{host}]' if ':' in host else host}:{server.effective_port}",
          file=out or streams.stdout, flush=True)
    run_until_stopped(server, stopping)
    if access_log is not None:
        access_log.flush()  # the lines of the last tenth of a second (accesslog.py)
    streams.close()  # what stdout and stderr can take in a moment; how many lines were dropped
    if stopping.is_set():
        # Every socket is closed and nothing else needs cleaning up: skip the interpreter's teardown, which
        # on a busy machine alone can take most of the one second §4 allows between SIGTERM and exit.
        os._exit(0)
    gcpolicy.uninstall()  # serve() returned in-process (an embedder, a test): leave its heap as it was
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def check(paths) -> int:
    from mocknexus.core.clock import Clock
    from mocknexus.schemas.reader import load_fixtures
    from mocknexus.state.fixtureset import FixtureError

    try:
        fixtures = load_fixtures(paths, Clock().now())
    except FixtureError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        return 1
    print(f"ok: {len(fixtures.services)} services, {len(fixtures.api_keys)} API keys, "
          f"{len(fixtures.interactions)} interactions")
    return 0


def print_openapi(out=None) -> int:
    """The document GET /openapi.json serves: it depends on the routes only, so no config is needed."""
    import json

    from mocknexus.web.app import create_app
    from mocknexus.web.openapi import document

    print(json.dumps(document(create_app()), indent=2, ensure_ascii=False), file=out or sys.stdout)
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "check":
        return check(args.paths)
    if args.command == "openapi":
        return print_openapi()
    return serve(config_from(args))
