"""URL converters for §1 addressing: `ext_{externalId}` segments versus interaction ids; the url_map's rules."""

import re
import time
from urllib.parse import unquote_to_bytes, urlsplit

from werkzeug.routing import BaseConverter, Rule

from mocknexus.state.world import DEFAULT, NAMESPACE

ESCAPED_EXT = "mocknexus.escaped_ext"
STARTED = "mocknexus.started"  # environ key: perf_counter() when the request reached the app (journal durationMs)

# Not "." or "..": a client normalising /__ns/../x to /x would land in the default world.
NAMESPACE_NAME = re.compile(r"(?!\.\.?$)[A-Za-z0-9._~-]{1,128}")


class ExternalIdConverter(BaseConverter):
    """A segment `ext_<externalId>`; the value is the rest of the segment (already percent-decoded)."""

    regex = r"ext_[^/]*"
    weight = 50  # tried before the interaction-id converter

    def to_python(self, value: str) -> str:
        return value[4:]

    def to_url(self, value: str) -> str:
        return "ext_" + super().to_url(value)


class InteractionIdConverter(BaseConverter):
    """Any other segment. Generated ids never start with `ext_`, so the two never overlap."""

    regex = r"(?!ext_)[^/]+"


class WebhookIdConverter(BaseConverter):
    """A webhook id: any segment but `deliveries`, which names the deliveries' own routes. Without it,
    DELETE /__admin/webhooks/{id} would match /__admin/webhooks/deliveries, whose 405 would then offer DELETE."""

    regex = r"(?!deliveries$)[^/]+"


class LazyBuildRule(Rule):
    """werkzeug's Rule (Flask's url_rule_class), whose two URL builders (what url_for and redirects build
    with) are compiled on first use, not when the rule is added: nothing here builds URLs, and compiling
    them for every rule (ast and compile, twice a rule) was a tenth of `serve`'s start-up. Matching is as before."""

    def _compile_builder(self, append_unknown: bool = True):
        compiled = []

        def build(rule, *args, **kwargs):
            if not compiled:  # two first uses at once compile it twice: the same function
                compiled.append(Rule._compile_builder(rule, append_unknown).__get__(rule, None))
            return compiled[0](*args, **kwargs)

        return build


class NamespaceMiddleware:
    """WSGI: `/__ns/{name}/rest` runs `/rest` in the world `name`; the prefix moves to SCRIPT_NAME,
    which is how selfUri and request.script_root come to carry it."""

    PREFIX = "/__ns/"

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        environ[STARTED] = time.perf_counter()
        _keep_slashes_in_external_ids(environ)
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.PREFIX):
            name, _, rest = path[len(self.PREFIX):].partition("/")
            if NAMESPACE_NAME.fullmatch(name):  # anything else stays unrouted: a 404
                environ[NAMESPACE] = name
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + self.PREFIX + name
                environ["PATH_INFO"] = "/" + rest
        return self.app(environ, start_response)


def _keep_slashes_in_external_ids(environ) -> None:
    """`ext_a%2Fb` is the externalId `a/b` (§1), but WSGI servers decode `%2F` before routing, which would make
    it two segments. When the raw path has an encoded slash, rebuild PATH_INFO segment by segment and keep the
    `ext_` segment escaped (`%` and `/`); ESCAPED_EXT tells the vendor blueprint to unescape the value."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI") or ""
    if "%2f" not in raw.lower():
        return
    segments = []
    for segment in urlsplit(raw).path.split("/"):
        decoded = unquote_to_bytes(segment).decode("latin-1")  # PATH_INFO is bytes as latin-1 (PEP 3333)
        if decoded.startswith("ext_") and "/" in decoded:
            decoded = "ext_" + decoded[4:].replace("%", "%25").replace("/", "%2F")
            environ[ESCAPED_EXT] = True
        segments.append(decoded)
    environ["PATH_INFO"] = "/".join(segments)


def body_limit(worlds, path: str) -> int:
    """The size limit of the body of a request to `path` (as waitress parses it), known before the body
    is read (serving/peers.py): --max-admin-body for admin paths, else the namespace's max_body setting
    (as it starts, for a namespace not made yet; looking does not make one or count as a use)."""
    name = DEFAULT
    prefix = NamespaceMiddleware.PREFIX
    if path.startswith(prefix):
        name, _, rest = path[len(prefix):].partition("/")
        path = "/" + rest
    if path == "/__admin" or path.startswith("/__admin/"):
        return worlds.config.max_admin_body
    world = worlds.peek(name)
    return (world.settings if world is not None else worlds.config.settings).max_body
