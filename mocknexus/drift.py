"""`mocknexus drift` (contract §11): run the scenario against another Nexus, safely, and say where it differs."""

import json
import re
import secrets
import sys
import time
from dataclasses import dataclass
from urllib.parse import quote

from requests import PreparedRequest, Request, RequestException, Session, Timeout

from mocknexus.drift_checks import NOT_JSON, UNMATCHED, Answer, Step, data, plan, verdicts

MAX_CALLS = 60
MAX_ANSWER = 1024 * 1024  # a bigger answer is not the vendor API's, and is not kept
WIDTHS = (18, 24, 24, 28)  # check, mocknexus, observed, verdict: 94 characters and three gaps of 2
STOP_BODY = {"reasonSystemName": "mocknexus-drift", "reasonDescription": "drift check cleanup"}
VERDICT = r"^(same|differs → --.+|differs, no setting|not checked)$"
REPORT_SCHEMA = {
    "type": "object",
    "required": ["target", "service", "calls", "checks", "flags", "exit"],
    "additionalProperties": False,
    "properties": {
        "target": {"type": "string"}, "service": {"type": "string"},
        "calls": {"type": "integer", "minimum": 0, "maximum": MAX_CALLS},
        "checks": {"type": "array", "items": {
            "type": "object", "required": ["check", "mocknexus", "observed", "verdict", "flag"],
            "additionalProperties": False,
            "properties": {"check": {"type": "string"}, "mocknexus": {"type": "string"},
                           "observed": {"type": ["string", "null"]}, "verdict": {"type": "string", "pattern": VERDICT},
                           "flag": {"type": ["string", "null"], "pattern": "^--"}}}},
        "flags": {"type": "array", "items": {"type": "string", "pattern": "^--"}},
        "exit": {"enum": [0, 1]},
    },
}


class TargetError(Exception):
    """The target cannot be checked: unreachable, silent, refusing the key, or not the API (exit 2)."""


@dataclass
class Created:
    """An interaction a create may have made: stopped by id when the answer gave one, else by externalId."""

    step: str
    external_id: str
    id: str | None = None
    stopped: bool = False


class Target:
    """The vendor API of one service of the target: one call at a time, at most MAX_CALLS, no other service."""

    def __init__(self, url: str, service: str, key: str, timeout: float = 10.0, session: Session | None = None):
        self.url, self.service, self.key, self.timeout = url.rstrip("/"), service, key, timeout
        self.base = f"{self.url}/nexus/v3/openmedia/{quote(service, safe='')}"
        self.session = session or Session()
        self.calls = 0

    def send(self, method: str, path: str, body=None, key: bool = True, headers=None) -> Answer:
        if self.calls >= MAX_CALLS:
            raise TargetError(f"stopped at the limit of {MAX_CALLS} calls")
        self.calls += 1
        sent = {**(headers or {}), **({"x-api-key": self.key} if key else {})}
        prepared = self.session.prepare_request(Request(method, self.base + path, json=body, headers=sent))
        if path.endswith("?"):
            prepared.__class__ = _TrailingQuestionMark
        deadline = time.monotonic() + self.timeout
        try:
            with self.session.send(prepared, timeout=self.timeout, allow_redirects=False, stream=True) as response:
                content = _read(response, deadline)
        except RequestException as exc:
            if isinstance(exc, Timeout) or "timed out" in str(exc):  # a body that stalls: a ConnectionError
                raise TargetError(f"{self.url} did not answer within {self.timeout:g} s ({method} {path})") from None
            raise TargetError(f"cannot reach {self.url}: {_reason(exc)}") from None
        if content is None:
            raise TargetError(f"{self.url} answered {method} {path} slower than {self.timeout:g} s or over 1 MiB")
        headers = {k.lower(): v for k, v in response.headers.items()}
        return Answer(response.status_code, headers, _json(content), {k.lower(): v for k, v in sent.items()})


class _TrailingQuestionMark(PreparedRequest):
    """requests drops an empty query from the request line; the trailing `?` check needs it sent."""

    @property
    def path_url(self) -> str:
        return super().path_url + "?"


def _read(response, deadline: float) -> bytes | None:
    """The body, or None past the deadline or MAX_ANSWER: a target that drips or floods holds nothing long."""
    chunks, size = [], 0
    for chunk in response.iter_content(65536):
        size += len(chunk)
        if size > MAX_ANSWER or time.monotonic() > deadline:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _json(content: bytes):
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return NOT_JSON


def _reason(exc: RequestException) -> str:
    """`Connection refused` out of requests' nest of wrapped urllib3 errors."""
    found = re.findall(r"\[Errno -?\d+\] ([^'\")]+)", str(exc))
    return found[-1].strip() if found else type(exc).__name__


def run(target: Target, steps: list[Step]) -> dict:
    """Send the steps in order → their answers by name (None: not sent). Whatever happens, every interaction
    the run may have created is stopped before this returns or raises (Ctrl-C included)."""
    answers, created = {}, []
    try:
        for step in steps:
            answers[step.name] = _send(target, step, created)
            _vet(target, step, answers[step.name])
    finally:
        _clean_up(target, created)
    return answers


def _send(target: Target, step: Step, created: list) -> Answer | None:
    first = next((c.id for c in created if c.step == "create"), None)
    if "{id}" in step.path and first is None:
        return None  # the first create made nothing: the calls on it are not sent
    if step.creates:
        created.append(Created(step.name, step.creates))  # before the call: a lost answer still gets a stop
    answer = target.send(step.method, step.path.replace("{id}", quote(first or "", safe="")), step.body, step.key,
                         step.headers)
    if step.creates:
        new_id = data(answer).get("id")
        if not 200 <= answer.status < 300:
            created.pop()
        elif isinstance(new_id, str) and new_id.strip("."):
            created[-1].id = new_id
    if step.path.endswith("/stop") and answer.status == 200:
        next(c for c in created if c.id == first).stopped = True
    return answer


def _vet(target: Target, step: Step, answer: Answer | None) -> None:
    """The first two calls decide whether the target is the API at all, and takes the key."""
    if step.name not in ("missing", "create"):
        return
    where = f"{target.url} answered {step.method} {step.path.replace('{id}', '...')} with {answer.status}"
    if answer.status in (401, 403):
        raise TargetError(f"{where}: it refuses the API key")
    if not isinstance(answer.body, dict):
        raise TargetError(f"{where} and {'no JSON' if answer.body is NOT_JSON else 'JSON'}, not the Nexus API")
    if step.name == "create" and answer.status == 404:
        raise TargetError(f"{where}: is there a service {target.service!r}?")
    if step.name == "create" and answer.status == 200 and not data(answer).get("id"):
        raise TargetError(f"{where} and no interaction id, not the Nexus API")


def _clean_up(target: Target, created: list) -> None:
    raised = None
    for item in (c for c in created if not c.stopped):
        path = f"/interactions/{quote(item.id, safe='')}" if item.id else f"/interactions/ext_{item.external_id}"
        try:
            answer = target.send("POST", path + "/stop", STOP_BODY)
            item.stopped = answer.status in (200, 404, 409)  # stopped now, or already: either way not live
        except TargetError:
            pass
        except BaseException as exc:  # a second Ctrl-C, or a bug: stop the others first, then raise it
            raised = raised or exc
        if not item.stopped:
            print(f"mocknexus drift: could not stop {path} on {target.base}: stop it by hand", file=sys.stderr)
    if raised is not None:
        raise raised


def report(target: Target, answers: dict) -> dict:
    """The verdicts, as the --json document (REPORT_SCHEMA)."""
    rows = verdicts(answers)
    return {"target": target.url, "service": target.service, "calls": target.calls, "checks": rows,
            "flags": [row["flag"] for row in rows if row["flag"]],
            "exit": 1 if any(row["verdict"] in UNMATCHED for row in rows) else 0}


def table(doc: dict) -> str:
    """The report for a terminal: no line over 100 columns."""
    lines = [_row(("check", "mocknexus", "observed", "verdict"))]
    lines += [_row((r["check"], r["mocknexus"], r["observed"] or "—", r["verdict"])) for r in doc["checks"]]
    unmatched = sum(r["verdict"] in UNMATCHED for r in doc["checks"])
    note = f" ({unmatched} {'difference has' if unmatched == 1 else 'differences have'} no setting)"
    lines.append(f"serve flags: {' '.join(doc['flags']) or 'none needed'}{note if unmatched else ''}")
    return "\n".join(lines)


def _row(cells) -> str:
    fitted = [c if len(c) <= w else c[: w - 1] + "…" for c, w in zip(cells, WIDTHS, strict=True)]
    return "  ".join(c.ljust(w) for c, w in zip(fitted, WIDTHS, strict=True)).rstrip()


def dry_run(target: Target, steps: list[Step]) -> str:
    """The calls a run would send, one a line; nothing is sent."""
    lines = ["# {id} is the id the target gives the interaction the first POST creates; x-api-key on each "
             "call unless marked"]
    for step in steps:
        body = f" {json.dumps(step.body)}" if step.body else ""
        lines.append(f"{step.method} {target.base}{step.path}{body}{'' if step.key else '  (no x-api-key)'}")
    lines.append(f"then POST {target.base}/interactions/{{id}}/stop {json.dumps(STOP_BODY)} for each interaction "
                 "created and still live")
    return "\n".join(lines)


def main(args) -> int:
    """The sub-command: args has against, api_key, service, json, dry_run, timeout."""
    problem = _bad_arguments(args)
    if problem:
        print(f"mocknexus drift: {problem}", file=sys.stderr)
        return 2
    target = Target(args.against, args.service, args.api_key, args.timeout)
    steps = plan(secrets.token_hex(6), secrets.token_hex(8))
    if args.dry_run:
        print(dry_run(target, steps))
        return 0
    try:
        doc = report(target, run(target, steps))
    except TargetError as exc:
        print(f"mocknexus drift: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mocknexus drift: interrupted, after stopping the interactions it had created", file=sys.stderr)
        return 130
    print(json.dumps(doc, indent=2, ensure_ascii=False) if args.json else table(doc))
    return doc["exit"]


def _bad_arguments(args) -> str | None:
    if not re.fullmatch(r"https?://[^/?#\s]+(/[^?#\s]*)?", args.against):
        return f"--against must be an http:// or https:// URL without a query, not {args.against!r}"
    if args.service.strip(".") == "":
        return f"--service must name a service, not {args.service!r}"
    if not 0 < args.timeout <= 3600:  # NaN fails too; inf would overflow the socket's timeout
        return f"--timeout must be above 0 and at most 3600 s, not {args.timeout:g}"
    return None
