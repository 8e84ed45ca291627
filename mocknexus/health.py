"""`mocknexus health`: the readiness probe of §8 (exit 0 when GET /__admin/health answers 200); stdlib only.

It runs as a container's health check every few seconds, so it imports no Flask, no requests: a probe
costs what starting Python costs."""

import http.client
import json
import os
import threading
from urllib.parse import urlsplit

HEALTH = "/__admin/health"


class ProbeFailed(Exception):
    """The server is not healthy; the message says why, in one line."""


def root_from(environ) -> str:
    """The server root from MOCKNEXUS_HOST and MOCKNEXUS_PORT, as `serve` reads them (0.0.0.0: this machine)."""
    host = environ.get("MOCKNEXUS_HOST") or "127.0.0.1"
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1"}.get(host, host).strip("[]")
    port = environ.get("MOCKNEXUS_PORT") or "8080"
    if not port.isdigit() or not 0 < int(port) <= 65535:
        raise ValueError(f"MOCKNEXUS_PORT: '{port}' is not a port to probe (1-65535); give --url")
    return f"http://{f'[{host}]' if ':' in host else host}:{int(port)}"


def probe(root: str, timeout: float) -> str:
    """GET ROOT/__admin/health within `timeout` seconds in all; returns the version, else raises ProbeFailed."""
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(_get(root, timeout)), daemon=True)
    worker.start()
    worker.join(timeout)  # a bound on the whole exchange, not on each socket operation
    if not outcome:
        raise ProbeFailed(f"no answer within {timeout:g} s")
    if isinstance(outcome[0], ProbeFailed):
        raise outcome[0]
    return outcome[0]


def _get(root: str, timeout: float):
    parts = urlsplit(root)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ProbeFailed(f"'{root}' is not an http:// URL")
    connection = (http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection)(
        parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path.rstrip("/").removesuffix("/nexus/v3") + HEALTH)
        response = connection.getresponse()
        body = response.read(65536)
    except OSError as exc:
        return ProbeFailed(getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)
    except http.client.HTTPException as exc:
        return ProbeFailed(f"not an HTTP answer ({type(exc).__name__})")
    finally:
        connection.close()
    if response.status != 200:
        return ProbeFailed(f"answered {response.status} {response.reason}")
    try:
        answer = json.loads(body)
        return str(answer["version"]) if answer.get("status") == "ok" else ProbeFailed(f"answered {answer}")
    except (ValueError, TypeError, KeyError, AttributeError):
        return ProbeFailed("answered 200, but not with mocknexus's health")


def main(url: str | None, timeout: float, out, err, environ=os.environ) -> int:
    """0 when healthy, 1 with one line on `err` saying why, 2 for a URL it cannot make from the environment."""
    try:
        root = (url or root_from(environ)).rstrip("/")
    except ValueError as exc:
        print(f"mocknexus health: {exc}", file=err)
        return 2
    try:
        version = probe(root, timeout)
    except ProbeFailed as exc:
        print(f"mocknexus health: {root}{HEALTH}: {exc}", file=err)
        return 1
    print(f"ok: mocknexus {version} at {root}", file=out)
    return 0
