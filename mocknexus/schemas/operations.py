"""What each operation reads and answers, by schema: the table openapi.py documents the routes with."""

import importlib

from marshmallow import Schema, fields

from mocknexus.schemas.fixtures import ApiKeyFixture, ServiceFixture
from mocknexus.schemas.vendor import (
    CreateInteractionRequest,
    InteractionOut,
    StatusOut,
    StopInteractionRequest,
    UpdateInteractionRequest,
)

_COMMON = (401, 403, 404, 413, 500)
_WRITE = (400, *_COMMON, 409)
# operationId → (summary, request schema, body required, error statuses): contract §1, exactly.
VENDOR = {
    "createInteraction": ("Create an interaction (state queued).", CreateInteractionRequest, False, _WRITE),
    "getInteractionByExternalId": ("Get an interaction by its externalId (404 once stopped, unless retain_stopped).",
                                   None, False, _COMMON),
    "stopInteractionByExternalId": ("Stop an interaction found by its externalId.", StopInteractionRequest, False,
                                    _WRITE),
    "updateInteractionByExternalId": ("Update the userData of an interaction found by its externalId.",
                                      UpdateInteractionRequest, True, _WRITE),
    "getInteraction": ("Get an interaction by its id (404 once stopped, unless retain_stopped).", None, False,
                       _COMMON),
    "stopInteraction": ("Stop an interaction.", StopInteractionRequest, False, _WRITE),
    "updateInteraction": ("Update the userData of an interaction.", UpdateInteractionRequest, True, _WRITE),
}

_ADMIN = "mocknexus.schemas.admin:"
_FIXTURES = "mocknexus.schemas.fixtures:"
_FAULTS = "mocknexus.schemas.faults:"


class OkOut(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok"]})


class DeletedOut(OkOut):
    deleted = fields.Integer(required=True)


class InteractionsOut(Schema):
    interactions = fields.List(fields.Nested(InteractionOut), required=True)


class StateOut(Schema):
    """GET /__admin/state: a fixture document (§3) whose interactions are written in full (§1.2)."""

    services = fields.List(fields.Nested(ServiceFixture), required=True)
    apiKeys = fields.List(fields.Nested(ApiKeyFixture), required=True)
    interactions = fields.List(fields.Nested(InteractionOut), required=True)


# (METHOD, path) → {"body", "query", "ok", "errors": {status: schema}} as schemas or "module:Name" (resolved
# late, so a route appears even before its schema is written). A route not listed: a JSON object in and out.
ADMIN = {
    ("GET", "/__admin/health"): {"ok": _ADMIN + "HealthOut"},
    ("POST", "/__admin/reset"): {"body": None, "ok": OkOut},
    ("GET", "/__admin/interactions"): {"query": _ADMIN + "InteractionsQuery", "ok": InteractionsOut},
    ("POST", "/__admin/interactions"): {"body": _FIXTURES + "SeedDocument", "ok": InteractionsOut},
    ("GET", "/__admin/state"): {"ok": StateOut},
    ("PUT", "/__admin/state"): {"body": _FIXTURES + "FixtureDocument", "ok": StateOut},
    ("GET", "/__admin/settings"): {"ok": _ADMIN + "SettingsOut"},
    ("PATCH", "/__admin/settings"): {"body": _ADMIN + "SettingsPatch", "ok": _ADMIN + "SettingsOut"},
    ("GET", "/__admin/clock"): {"ok": _ADMIN + "ClockOut"},
    ("PUT", "/__admin/clock"): {"body": _ADMIN + "ClockPut", "ok": _ADMIN + "ClockOut"},
    ("POST", "/__admin/clock/advance"): {"body": _ADMIN + "ClockAdvance", "ok": _ADMIN + "ClockOut"},
    ("GET", "/__admin/requests"): {"query": _ADMIN + "RequestsQuery", "ok": _ADMIN + "RequestsOut"},
    ("DELETE", "/__admin/requests"): {"ok": OkOut},
    ("POST", "/__admin/requests/wait"): {"body": _ADMIN + "WaitRequest", "ok": _ADMIN + "RequestsOut",
                                         "errors": {408: "wait-timeout"}},
    ("GET", "/__admin/namespaces"): {"ok": _ADMIN + "NamespacesOut"},
    ("DELETE", "/__admin/namespaces/{name}"): {"ok": OkOut},
    ("GET", "/__admin/faults"): {"ok": ("faults", _FAULTS + "RuleSchema")},
    ("POST", "/__admin/faults"): {"body": _FAULTS + "RuleSchema", "ok": _FAULTS + "RuleSchema"},
    ("DELETE", "/__admin/faults"): {"ok": DeletedOut},
    ("DELETE", "/__admin/faults/{id}"): {"ok": DeletedOut},
}


def resolve(target):
    """A schema class, or a "module:Name" of one; None when that module or name does not exist (yet)."""
    if not isinstance(target, str):
        return target
    module, _, name = target.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def wait_timeout_schema() -> dict:
    """The 408 of POST /__admin/requests/wait: the error envelope plus the requests seen so far."""
    record = resolve(_ADMIN + "RequestRecordOut")
    return {"type": "object", "required": ["status", "requests"],
            "properties": {"status": StatusOut, "requests": {"type": "array", "items": record or {"type": "object"}}}}
