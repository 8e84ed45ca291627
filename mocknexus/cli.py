"""The command line: `mocknexus serve` and `mocknexus check`; main(argv) -> int, testable without a socket."""

import argparse
import ipaddress
import os
import signal
import sys
import threading
from pathlib import Path

from mocknexus import __version__, environment
from mocknexus.core.collector import paused
from mocknexus.core.config import ID_STYLES, ServerConfig, WorldSettings


class _Parser(argparse.ArgumentParser):
    commands: dict = {}  # name -> sub-parser (build_parser fills it in on the top parser)

    def error(self, message):
        """One line and exit 2, as argparse does, but with our name on it and the help that fits."""
        self.exit(2, f"mocknexus: error: {message} (see '{self.prog} --help')\n")

    def parse_args(self, args=None, namespace=None):
        """As argparse, but a stray argument is reported by the command it was given to (its help fits), and
        `mocknexus --bogus` names --bogus rather than asking for a command."""
        parsed, extras = self.parse_known_args(args, namespace)
        if self.commands and parsed.command is None:
            self.error(f"unrecognized arguments: {' '.join(extras)}" if extras
                       else f"name a command: {', '.join(self.commands)}")
        if extras:
            self.commands.get(getattr(parsed, "command", None), self).error(
                f"unrecognized arguments: {' '.join(extras)}")
        return parsed


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


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most 3600, not {text}")
    return value


_positive.__name__ = "positive integer"  # argparse says "invalid <name> value"
_port.__name__ = "port number"
_seconds.__name__ = "number of seconds"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mocknexus", description="A fake of the Genesys Nexus v3 Open Media API.")
    parser.add_argument("--version", action="version", version=f"mocknexus {__version__}")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the API", description=SERVE_HELP)
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (0.0.0.0: every interface)")
    serve.add_argument("--port", type=_port, default=8080, help="the port; 0 picks a free one")
    serve.add_argument("--fixtures", action="append", default=[], metavar="PATH",
                       help="a fixture file or a folder of them; repeatable, loaded in the order given")
    serve.add_argument("--api-key", action="append", default=[], dest="api_keys", metavar="KEY",
                       help="accept this key for every service; repeatable")
    serve.add_argument("--threads", type=_positive, default=8, metavar="N", help="worker threads")
    serve.add_argument("--retain-stopped", action="store_true",
                       help="a stopped interaction stays readable; stop or update on it is a 409")
    serve.add_argument("--strict", action="store_true", help="an unknown body field is a 400, not a warning")
    serve.add_argument("--id-style", choices=ID_STYLES, default="uuid", help="interaction ids: UUID v4 or Genesys")
    serve.add_argument("--seed", type=int, metavar="N", help="ids from a repeatable sequence")
    serve.add_argument("--max-body", type=_positive, default=1024 * 1024, metavar="BYTES",
                       help="a larger vendor request body is a 413")
    serve.add_argument("--journal-size", type=_positive, default=10000, metavar="N",
                       help="the journal keeps the newest N requests per namespace")
    serve.add_argument("--max-namespaces", type=_positive, default=1000, metavar="N",
                       help="namespaces alive at once; the least recently used goes first")
    serve.add_argument("--allow-header-faults", action="store_true",
                       help="an X-Mocknexus-Fault request header faults that request")
    serve.add_argument("--admin-token", metavar="T", help="the admin API then needs 'Authorization: Bearer T'")
    serve.add_argument("--sample", action="store_true",
                       help="load the sample fixtures shipped with mocknexus (before any --fixtures)")
    serve.add_argument("--max-connections", type=_positive, default=1000, metavar="N",
                       help="open connections at once, held requests (delays, waits) included; more wait to connect")
    serve.add_argument("--max-admin-body", type=_positive, default=64 * 1024 * 1024, metavar="BYTES",
                       help="a larger /__admin request body is a 413, answered without reading it")
    serve.add_argument("--access-log", choices=("on", "off"), default="on",
                       help="one line per request on stdout (lines stdout cannot take are dropped and counted)")

    check = commands.add_parser("check", help="validate fixture files")
    check.add_argument("paths", nargs="+", metavar="FIXTURES")

    health = commands.add_parser("health", help="exit 0 when a server answers GET /__admin/health")
    health.add_argument("--url", metavar="ROOT", help="the server's root (default: http://MOCKNEXUS_HOST:"
                        "MOCKNEXUS_PORT, 0.0.0.0 meaning 127.0.0.1; else http://127.0.0.1:8080)")
    health.add_argument("--timeout", type=_seconds, default=2.0, metavar="SECONDS",
                        help="give up after this long (default: 2)")

    commands.add_parser("openapi", help="print the OpenAPI document (the same as GET /openapi.json)")

    drift = commands.add_parser("drift", help="compare another Nexus (a real tenant) with mocknexus's defaults")
    drift.add_argument("--against", required=True, metavar="URL", help="the target's base URL (before /nexus/v3)")
    drift.add_argument("--api-key", required=True, metavar="KEY", help="the x-api-key the target accepts")
    drift.add_argument("--service", required=True, metavar="NAME", help="the one openMediaService it may use")
    drift.add_argument("--json", action="store_true", help="print the report as one JSON document")
    drift.add_argument("--dry-run", action="store_true", help="print the calls it would send, and send none")
    drift.add_argument("--timeout", type=float, default=10.0, metavar="S", help="seconds to wait for each answer")
    environment.document(serve)  # last: flags added above (by anyone) get their default and variable
    parser.commands = commands.choices
    return parser


SAMPLES = Path(__file__).parent / "samples"  # the package's copy of the repository's fixtures/ (tested equal)
SERVE_HELP = ("Serve the vendor API and the admin API. Every flag can also be set by its MOCKNEXUS_* variable "
              "(a switch by 1/0, true/false, yes/no or on/off); a flag given beats its variable, a variable "
              "beats the default.")


def config_from(args) -> ServerConfig:
    return ServerConfig(
        host=args.host, port=args.port, threads=args.threads, api_keys=args.api_keys,
        fixtures=[str(SAMPLES)] * args.sample + args.fixtures,
        settings=WorldSettings(strict=args.strict, retain_stopped=args.retain_stopped, id_style=args.id_style,
                               max_body=args.max_body),
        seed=args.seed, journal_size=args.journal_size, max_namespaces=args.max_namespaces,
        allow_header_faults=args.allow_header_faults, admin_token=args.admin_token,
        access_log=args.access_log == "on", max_connections=args.max_connections,
        max_admin_body=args.max_admin_body,
    )


def serve(config: ServerConfig, out=None) -> int:
    """Load, bind, print the listening line, serve until SIGTERM/SIGINT."""
    # Start-up allocates much and frees little, none of it in a cycle: the cyclic collector stays paused
    # (collector.py) until gcpolicy has frozen what start-up built, so no collection ever walks the imports
    # or the fixtures (with 200,000 fixture interactions one walk took 0.4 s).
    with paused():
        started = _start(config)
    if started is None:
        return 2
    app, server, access_log = started
    from mocknexus.serving import gcpolicy, output
    from mocknexus.serving.server import close_worlds, run_until_stopped

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
    if not app.extensions["mocknexus"].default.services:
        print("mocknexus: note: no fixtures loaded, so no service exists (every vendor call is a 404); add some "
              "with --fixtures PATH, --sample, or PUT /__admin/state", file=sys.stderr, flush=True)
    root = f"http://{f'[{host}]' if ':' in host else host}:{server.effective_port}"
    out = out or streams.stdout
    print(f"mocknexus listening on {root}", file=out, flush=True)
    print(f"mocknexus dashboard: {root}/__admin/ui", file=out, flush=True)  # a second line: the first stays as it was
    run_until_stopped(server, stopping)
    close_worlds(app)
    if access_log is not None:
        access_log.flush()  # the lines of the last tenth of a second (accesslog.py)
    streams.close()  # what stdout and stderr can take in a moment; how many lines were dropped
    if stopping.is_set():
        # Every socket is closed and nothing else needs cleaning up: skip the interpreter's teardown, which
        # on a busy machine alone can take most of the one second §4 allows between SIGTERM and exit.
        os._exit(0)
    gcpolicy.uninstall()  # serve() returned in-process (an embedder, a test): leave its heap as it was
    return 0


def _start(config: ServerConfig):
    """(app, bound server, access log) with the GC policy installed; None, said on stderr, when it cannot start."""
    from mocknexus.serving import gcpolicy
    from mocknexus.serving.accesslog import AccessLog
    from mocknexus.serving.server import ServerError, make_server
    from mocknexus.state.fixtureset import FixtureError
    from mocknexus.web.app import create_app

    access_log = AccessLog() if config.access_log else None
    try:
        app = create_app(config, access_log=access_log)
        server = make_server(app, config)
    except FixtureError as exc:
        for line in exc.lines():
            print(f"mocknexus: bad fixture: {line}", file=sys.stderr)
        return None
    except ServerError as exc:
        print(f"mocknexus: {exc}", file=sys.stderr)
        return None
    gcpolicy.install()  # the fixtures are loaded: no GC pause grows with them or with the store (gcpolicy.py)
    return app, server, access_log


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

    out = out or sys.stdout
    try:
        print(json.dumps(document(create_app()), indent=2, ensure_ascii=False), file=out, flush=True)
    except BrokenPipeError:  # `mocknexus openapi | head`: the reader has what it wanted
        # As the Python docs advise: stdout to /dev/null, so the flush at exit does not raise it again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        return 1
    return 0


def main(argv=None) -> int:
    parser = build_parser()
    serve_flags = parser.commands["serve"]
    with environment.defaults_suppressed(serve_flags):
        args = parser.parse_args(argv)
    if args.command == "check":
        return check(args.paths)
    if args.command == "openapi":
        return print_openapi()
    if args.command == "drift":
        from mocknexus import drift  # requests only here: `serve` starts without it

        return drift.main(args)
    if args.command == "health":
        from mocknexus import health

        return health.main(args.url, args.timeout, sys.stdout, sys.stderr)
    try:
        environment.apply(args, serve_flags, os.environ)
    except environment.VariableError as exc:
        serve_flags.error(str(exc))
    unknown = environment.unknown(serve_flags, os.environ)
    if unknown:
        print(f"mocknexus: warning: ignored {', '.join(unknown)}: no serve flag of that name "
              "(see 'mocknexus serve --help')", file=sys.stderr, flush=True)
    return serve(config_from(args))
