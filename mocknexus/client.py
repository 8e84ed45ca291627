"""AdminClient: the /__admin API of a running mocknexus as Python methods (requests only; no Flask needed)."""

from datetime import UTC, datetime, timedelta

from requests import RequestException, Session

from mocknexus.contactcenter import ContactCenter

VENDOR_BASE = "/nexus/v3"
# fault(**kwargs): which keyword goes where in the rule of §2.4.
MATCH_KEYS = {"operation": "operation", "method": "method", "path": "path", "service": "service",
              "externalId": "externalId", "external_id": "externalId"}
ACTION_KEYS = {"status", "body", "headers", "delay_ms", "kind", "apply"}
RULE_KEYS = {"times", "after", "probability", "seed"}
SETTING_KEYS = {"strict": "strict", "retain_stopped": "retainStopped", "retainStopped": "retainStopped",
                "id_style": "idStyle", "idStyle": "idStyle", "max_body": "maxBody", "maxBody": "maxBody"}


class AdminError(Exception):
    """The admin API answered an error status (or could not be reached: `status` None); carries the
    envelope's message, its details and the whole body."""

    def __init__(self, what: str, status: int | None, message: str, details=None, body=None):
        self.status, self.message, self.details, self.body = status, message, details, body
        extra = f" {details}" if details else ""
        super().__init__(f"mocknexus {what} → {status or 'no answer'}: {message}{extra}")


class WaitTimeout(AdminError, AssertionError):
    """wait_for() timed out; `requests` holds the matching requests that did arrive. An AssertionError,
    so pytest reports it as a failed expectation."""

    def __init__(self, what: str, message: str, requests: list):
        super().__init__(what, 408, message)
        self.requests = requests


def server_root(url: str) -> str:
    """`http://host:port` from what a user may pass: the root, or the vendor URL ending in /nexus/v3."""
    url = url.strip().rstrip("/")
    return url.removesuffix(VENDOR_BASE).rstrip("/")


class AdminClient(ContactCenter):
    """`AdminClient("http://127.0.0.1:8080")`; `namespace=` binds every call (vendor URL included) to
    `/__ns/{namespace}`; `token=` sends `Authorization: Bearer <token>` (servers run with --admin-token).
    The contact center's side (moves, lifecycles, webhooks) comes from ContactCenter."""

    def __init__(self, root: str, namespace: str | None = None, token: str | None = None,
                 session: Session | None = None, timeout: float = 10.0):
        self.root = server_root(root)
        self.namespace = namespace
        self.token = token
        self.timeout = timeout
        self._session = session or Session()
        self._owns_session = session is None
        self._headers = {"Authorization": f"Bearer {token}"} if token else None

    @property
    def base(self) -> str:
        """The root of this client's namespace: vendor paths and /__admin hang under it."""
        return self.root + (f"/__ns/{self.namespace}" if self.namespace else "")

    @property
    def url(self) -> str:
        """The vendor API base URL (`.../nexus/v3`) of this namespace: give it to the code under test."""
        return self.base + VENDOR_BASE

    def namespace_client(self, name: str) -> "AdminClient":
        """A client for another namespace on the same server, sharing this one's connections."""
        return AdminClient(self.root, name, self.token, self._session, self.timeout)

    # -- state (§2.1) --------------------------------------------------------------------------
    def health(self) -> dict:
        return self.call("GET", "/health")

    def reset(self) -> None:
        """Back to the loaded fixtures: interactions, faults, journal, clock, settings, ids."""
        self.call("POST", "/reset")

    def seed(self, *interactions) -> list[dict]:
        """Add interactions in the fixture format (dicts, or lists of them); all or nothing."""
        flat = [i for item in interactions for i in (item if isinstance(item, list | tuple) else [item])]
        return self.call("POST", "/interactions", {"interactions": flat})["interactions"]

    def interactions(self, service: str | None = None, state: str | None = None) -> list[dict]:
        """Every interaction (stopped ones too) in creation order, optionally filtered."""
        params = {k: v for k, v in {"service": service, "state": state}.items() if v is not None}
        return self.call("GET", "/interactions", params=params)["interactions"]

    def state(self) -> dict:
        """The whole state as one fixture document."""
        return self.call("GET", "/state")

    def load_state(self, document: dict) -> dict:
        """Replace services, API keys and interactions with a fixture document."""
        return self.call("PUT", "/state", document)

    def settings(self, **changes) -> dict:
        """Read the settings, or change some: settings(strict=True, retain_stopped=True, id_style="genesys")."""
        if not changes:
            return self.call("GET", "/settings")
        unknown = sorted(set(changes) - set(SETTING_KEYS))
        if unknown:
            raise TypeError(f"unknown setting(s) {', '.join(unknown)}; known: strict, retain_stopped, "
                            "id_style, max_body")
        return self.call("PATCH", "/settings", {SETTING_KEYS[k]: v for k, v in changes.items()})

    # -- journal (§2.2) ------------------------------------------------------------------------
    def requests(self, **match) -> list[dict]:
        """Journal entries oldest first; match on operation, method, path (regex), status, service; limit=K."""
        return self.call("GET", "/requests", params=match)["requests"]

    def clear_requests(self) -> None:
        self.call("DELETE", "/requests")

    def wait_for(self, count: int = 1, timeout: float = 5, **match) -> list[dict]:
        """Block until `count` requests matching `match` are in the journal; WaitTimeout when they are not
        there within `timeout` seconds. For code under test that calls the API asynchronously."""
        return self._wait("/requests/wait", "requests", f"wait_for({count}, {match})", count, timeout, match)

    def _wait(self, path: str, key: str, what: str, count: int, timeout: float, match: dict) -> list[dict]:
        """A wait route (journal, deliveries): what matched, or WaitTimeout (with what did) at the timeout."""
        body = {"match": match, "count": count, "timeoutMs": int(timeout * 1000)}
        try:
            return self.call("POST", path, body, timeout=timeout + self.timeout)[key]
        except AdminError as exc:
            if exc.status != 408:
                raise
            seen = (exc.body or {}).get(key, [])
            raise WaitTimeout(what, f"{len(seen)} of {count} matching {key} arrived within {timeout} s", seen) from None

    # -- faults (§2.4) -------------------------------------------------------------------------
    def fault(self, match: dict | None = None, action: dict | None = None, **options) -> "Fault":
        """Add a fault rule: fault(operation="createInteraction", status=503, times=1). Keywords are
        sorted into match (operation, method, path, service, external_id), action (status, body, headers,
        delay_ms, kind, apply) and the rule (times, after, probability, seed). Use it as `with` to remove it."""
        rule = {"match": dict(match or {}), "action": dict(action or {})}
        for key, value in options.items():
            if key in MATCH_KEYS:
                rule["match"][MATCH_KEYS[key]] = value
            elif key in ACTION_KEYS:
                rule["action"][key] = value
            elif key in RULE_KEYS:
                rule[key] = value
            else:
                raise TypeError(f"fault() got an unknown keyword {key!r}")
        return Fault(self, self.call("POST", "/faults", rule))

    def faults(self) -> list[dict]:
        return self.call("GET", "/faults")["faults"]

    def clear_faults(self) -> None:
        self.call("DELETE", "/faults")

    # -- clock (§2.3) and namespaces (§2.5) ----------------------------------------------------
    @property
    def clock(self) -> "ClockControl":
        """clock.now(), clock.set(moment), clock.advance(seconds), clock.resume()."""
        return ClockControl(self)

    def namespaces(self) -> list[dict]:
        return self.call("GET", "/namespaces", scoped=False)["namespaces"]

    def drop_namespace(self, name: str, missing_ok: bool = True) -> None:
        try:
            self.call("DELETE", f"/namespaces/{name}", scoped=False)
        except AdminError as exc:
            if not (missing_ok and exc.status == 404):
                raise

    # -- plumbing ------------------------------------------------------------------------------
    def call(self, method: str, path: str, body=None, params=None, timeout: float | None = None,
             scoped: bool = True):
        """One admin request → the parsed JSON body; AdminError on an error status or no answer."""
        url = (self.base if scoped else self.root) + "/__admin" + path
        what = f"{method} {url.removeprefix(self.root)}"
        try:
            response = self._session.request(method, url, json=body, params=params, headers=self._headers,
                                             timeout=timeout or self.timeout)
        except RequestException as exc:
            raise AdminError(what, None, f"cannot reach mocknexus at {self.root}: {exc}") from None
        try:
            payload = response.json()
        except ValueError:
            payload = None
        if response.status_code >= 400:
            status = (payload or {}).get("status") if isinstance(payload, dict) else None
            if not isinstance(status, dict):
                raise AdminError(what, response.status_code, response.text[:200] or response.reason, body=payload)
            raise AdminError(what, response.status_code, status.get("message", ""), status.get("details"), payload)
        return payload

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> "AdminClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Fault:
    """A fault rule on the server. `fired` asks the server each time; `with` (or remove()) takes it away."""

    def __init__(self, client: AdminClient, rule: dict):
        self.client = client
        self.rule = rule
        self.id = rule["id"]
        self._fired = rule.get("fired", 0)
        self._removed = False

    @property
    def fired(self) -> int:
        """How many requests this rule has faulted so far (the last count seen once it is removed)."""
        if not self._removed:
            self._fired = next((f.get("fired", 0) for f in self.client.faults() if f["id"] == self.id), self._fired)
        return self._fired

    def remove(self) -> None:
        if self._removed:
            return
        self.fired  # noqa: B018  (remember the final count)
        try:
            self.client.call("DELETE", f"/faults/{self.id}")
        except AdminError as exc:
            if exc.status != 404:  # already gone: cleared or reset
                raise
        self._removed = True

    def __enter__(self) -> "Fault":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()

    def __repr__(self) -> str:
        return f"<Fault {self.id} {self.rule.get('match')} -> {self.rule.get('action')}>"


class ClockControl:
    """The namespace's virtual clock."""

    def __init__(self, client: AdminClient):
        self.client = client

    def get(self) -> dict:
        return self.client.call("GET", "/clock")

    def now(self) -> datetime:
        return parse_time(self.get()["now"])

    @property
    def frozen(self) -> bool:
        return self.get()["frozen"]

    def set(self, moment: datetime | str, frozen: bool = True) -> dict:
        """Freeze the clock at `moment` (a naive datetime is UTC); frozen=False runs on from there."""
        if isinstance(moment, datetime):
            moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()
        return self.client.call("PUT", "/clock", {"now": moment, "frozen": frozen})

    def advance(self, by: float | timedelta = 0, **delta) -> dict:
        """advance(90) (seconds), advance(timedelta(hours=1)) or advance(minutes=5, seconds=30)."""
        seconds = by.total_seconds() if isinstance(by, timedelta) else by
        return self.client.call("POST", "/clock/advance", {"seconds": seconds + timedelta(**delta).total_seconds()})

    def resume(self) -> dict:
        """Run again from real time."""
        return self.client.call("PUT", "/clock", {"frozen": False})


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))

