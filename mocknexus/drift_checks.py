"""The drift check's scenario (contract §11): the calls it sends, and what each check reads from the answers."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

PREFIX = "mocknexus-drift-"
RECEIVED_IN, RECEIVED_OUT = "2026-05-01T12:00:00+02:00", "2026-05-01T10:00:00.000Z"
ENVELOPE_OK = "integer code = status"
NOT_JSON = object()  # Answer.body when the answer was not JSON
UNMATCHED = ("differs, no setting", "not checked")  # the verdicts no serve flag fixes: exit 1


@dataclass(frozen=True)
class Step:
    """One call, on a path under `.../openmedia/{service}`; `{id}` is the id of the first interaction created."""

    name: str
    method: str
    path: str
    body: dict | None = None
    key: bool = True  # send the x-api-key header
    creates: str | None = None  # the externalId of the interaction this call may create
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict  # lower-case names
    body: object  # parsed JSON, or NOT_JSON
    sent: dict  # the headers sent, lower-case names


def plan(tag: str, trace: str) -> list[Step]:
    """Every call of a run, in order; `tag` is the random part of every externalId, `trace` an X-B3-TraceId."""
    ext = f"{PREFIX}{tag}"
    first = {"externalId": f"{ext}-a", "receivedAt": RECEIVED_IN,
             "userData": {"DriftA": "1", "DriftB": "1", "DriftC": "1"}}
    update = {"changedProperties": {"DriftA": "2", "DriftN": "new"}, "addedProperties": {"DriftB": "2"},
              "deletedProperties": ["DriftC", "DriftGone"]}
    stop = {"reasonSystemName": "mocknexus-drift", "reasonDescription": "drift check"}
    return [
        # Read-only first: a target that refuses the key or is not the API gets nothing created.
        Step("missing", "GET", f"/interactions/ext_{ext}-none"),
        Step("create", "POST", "/interactions", first, creates=first["externalId"], headers={"X-B3-TraceId": trace}),
        Step("duplicate", "POST", "/interactions", {"externalId": first["externalId"]}, creates=first["externalId"]),
        Step("trailing", "GET", "/interactions/{id}?"),
        Step("no_key", "GET", "/interactions/{id}", key=False),
        Step("update", "POST", "/interactions/{id}/update", update),
        Step("overlap", "POST", "/interactions/{id}/update",
             {"changedProperties": {"DriftA": "3"}, "deletedProperties": ["DriftA"]}),
        Step("unknown_field", "POST", "/interactions", {"externalId": f"{ext}-u", "mocknexusDriftProbe": "x"},
             creates=f"{ext}-u"),
        Step("float", "POST", "/interactions", {"externalId": f"{ext}-f", "userData": {"DriftScore": 4.5}},
             creates=f"{ext}-f"),
        Step("reserved", "POST", "/interactions", {"externalId": f"{ext}-r", "userData": {"State": "x"}},
             creates=f"{ext}-r"),
        Step("stop", "POST", "/interactions/{id}/stop", stop),
        Step("get_after", "GET", "/interactions/{id}"),
        Step("update_after", "POST", "/interactions/{id}/update", {"addedProperties": {"DriftD": "1"}}),
        Step("stop_after", "POST", "/interactions/{id}/stop", stop),
    ]


def data(answer: Answer | None) -> dict:
    """The interaction in a vendor answer, or {}."""
    body = answer.body if answer is not None else None
    found = body.get("data") if isinstance(body, dict) else None
    return found if isinstance(found, dict) else {}


def shape(answer: Answer) -> str:
    """A few words on an answer's body: what a reader needs to see how it differs."""
    body = answer.body
    if body is NOT_JSON:
        return f"{answer.status}, not JSON"
    if not isinstance(body, dict):
        return f"{answer.status}, JSON {type(body).__name__}"
    status = body.get("status")
    if isinstance(status, dict):
        return f"{answer.status}, code {json.dumps(status.get('code'))}"
    return f"{answer.status}, keys {','.join(sorted(body))}"


def _status(name: str) -> Callable[[dict], str | None]:
    return lambda answers: None if answers.get(name) is None else str(answers[name].status)


def _accepted(name: str) -> Callable[[dict], str | None]:
    def read(answers):
        answer = answers.get(name)
        return None if answer is None else "accepted (200)" if answer.status == 200 else str(answer.status)
    return read


def success_envelope(answers: dict) -> str | None:
    answer = answers.get("create")
    if answer is None:
        return None
    status = answer.body.get("status") if isinstance(answer.body, dict) else None
    if answer.status == 200 and status == {"code": 0, "message": "OK"} and data(answer):
        return "code 0, OK, data"
    return shape(answer)


def _error_envelope_of(answer: Answer) -> str:
    status = answer.body.get("status") if isinstance(answer.body, dict) else None
    code = status.get("code") if isinstance(status, dict) else None
    if isinstance(code, str):
        return f"string codes ({code})"
    if type(code) is int and code == answer.status and isinstance(status.get("message"), str):
        return ENVELOPE_OK
    return shape(answer)


def error_envelope(answers: dict) -> str | None:
    """The first error answer whose envelope is not the §1.1 one, over every error the run saw."""
    seen = [_error_envelope_of(a) for a in answers.values() if a is not None and a.status >= 400]
    return next((s for s in seen if s != ENVELOPE_OK), ENVELOPE_OK) if seen else None


def id_style(answers: dict) -> str | None:
    value = data(answers.get("create")).get("id")
    if not isinstance(value, str):
        return None
    if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", value):
        return "uuid"
    return "genesys" if re.fullmatch(r"[0-9A-Z]{16}", value) else f"other ({value[:14]})"


def after_stop(answers: dict) -> str | None:
    stop, get = answers.get("stop"), answers.get("get_after")
    if stop is None or get is None:
        return None
    if stop.status != 200:
        return f"stop itself: {stop.status}"
    seen = "200 stopped" if get.status == 200 and data(get).get("state") == "stopped" else str(get.status)
    return f"{seen} / {_status('update_after')(answers)} / {_status('stop_after')(answers)}"


def unknown_field(answers: dict) -> str | None:
    answer = answers.get("unknown_field")
    return None if answer is None else "ignored (200)" if answer.status == 200 else str(answer.status)


def _drift_keys(answer: Answer) -> str:
    user_data = data(answer).get("userData")
    if not isinstance(user_data, dict):
        return f"{answer.status}, no userData"
    return " ".join(f"{k.removeprefix('Drift')}={v}" for k, v in sorted(user_data.items()) if k.startswith("Drift"))


def update_order(answers: dict) -> str | None:
    answer = answers.get("update")
    return None if answer is None else _drift_keys(answer) if answer.status == 200 else str(answer.status)


def key_in_two_lists(answers: dict) -> str | None:
    answer = answers.get("overlap")
    return None if answer is None else f"200: {_drift_keys(answer)}" if answer.status == 200 else str(answer.status)


def trace_echo(answers: dict) -> str | None:
    answer = answers.get("create")
    if answer is None:
        return None
    echoed = answer.headers.get("x-b3-traceid")
    return "echoed" if echoed == answer.sent.get("x-b3-traceid") else "absent" if echoed is None else "another id"


def received_at(answers: dict) -> str | None:
    answer = answers.get("create")
    return None if answer is None or answer.status != 200 else str(data(answer).get("receivedAt", "absent"))


@dataclass(frozen=True)
class Check:
    name: str  # at most 18 characters: the table fits 100 columns
    mocknexus: str  # what mocknexus does with its default settings
    read: Callable[[dict], str | None]  # answers by step name → what the target did; None when not run
    settings: dict = field(default_factory=dict)  # an observed value → the serve flag that makes mocknexus do it


# In the contract's order (§11), which is also the order of the suggested flags.
CHECKS = (
    Check("success envelope", "code 0, OK, data", success_envelope),
    Check("error envelope", ENVELOPE_OK, error_envelope),
    Check("401 without key", "401", _status("no_key")),
    Check("id style", "uuid", id_style, {"genesys": "--id-style genesys"}),
    Check("409 on duplicate", "409", _status("duplicate")),
    Check("after a stop", "404 / 404 / 404", after_stop, {"200 stopped / 409 / 409": "--retain-stopped"}),
    Check("unknown body field", "ignored (200)", unknown_field, {"400": "--strict"}),
    Check("float in userData", "400", _accepted("float")),
    Check("reserved key", "400", _accepted("reserved")),
    Check("update order", "A=2 B=2 N=new", update_order),
    Check("key in two lists", "400", key_in_two_lists),
    Check("trailing ?", "200", _status("trailing")),
    Check("X-B3-TraceId echo", "echoed", trace_echo),
    Check("receivedAt to UTC", RECEIVED_OUT, received_at),
)


def verdicts(answers: dict) -> list[dict]:
    """A row per check: what mocknexus does, what the target did, the verdict and the flag that would match."""
    rows = []
    for check in CHECKS:
        observed, flag = check.read(answers), None
        if observed is None:
            verdict = UNMATCHED[1]
        elif observed == check.mocknexus:
            verdict = "same"
        elif observed in check.settings:
            flag = check.settings[observed]
            verdict = f"differs → {flag}"
        else:
            verdict = UNMATCHED[0]
        rows.append({"check": check.name, "mocknexus": check.mocknexus, "observed": observed, "verdict": verdict,
                     "flag": flag})
    return rows
