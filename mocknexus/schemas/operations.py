"""What each operation reads and answers, by schema: the table openapi_document.py documents the routes with."""

import importlib

from marshmallow import Schema, fields

from mocknexus.schemas.fixtures import ApiKeyFixture, ServiceFixture
from mocknexus.schemas.simulator import AdminInteractionOut
from mocknexus.schemas.vendor import (
    CreateInteractionRequest,
    StatusOut,
    StopInteractionRequest,
    UpdateInteractionRequest,
)
from mocknexus.schemas.webhooks import WebhookOut

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
_SIM = "mocknexus.schemas.simulator:"


class OkOut(Schema):
    status = fields.String(required=True, metadata={"enum": ["ok"]})


class DeletedOut(OkOut):
    deleted = fields.Integer(required=True)


class InteractionsOut(Schema):
    interactions = fields.List(fields.Nested(AdminInteractionOut), required=True)


class StateOut(Schema):
    """GET /__admin/state: a fixture document (§3) whose interactions are written in full (§1.2)."""

    services = fields.List(fields.Nested(ServiceFixture), required=True)
    apiKeys = fields.List(fields.Nested(ApiKeyFixture), required=True)
    interactions = fields.List(fields.Nested(AdminInteractionOut), required=True)
    webhooks = fields.List(fields.Nested(WebhookOut), required=True)


# (METHOD, path) → {"body", "query", "ok", "errors": {status: schema}} as schemas or "module:Name" (resolved
# late, so a route appears even before its schema is written); "body": None for a POST that reads none; a body
# is required unless "optional": True; "produces": a content type other than application/json (the 200).
# Every admin route has an entry (tests/web/test_openapi.py checks it).
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
    ("POST", "/__admin/requests/wait"): {"body": _ADMIN + "WaitRequest", "optional": True, "ok": _ADMIN + "RequestsOut",
                                         "errors": {408: "wait-timeout"}},
    ("GET", "/__admin/namespaces"): {"ok": _ADMIN + "NamespacesOut"},
    ("DELETE", "/__admin/namespaces/{name}"): {"ok": OkOut},
    ("GET", "/__admin/faults"): {"ok": ("faults", _FAULTS + "RuleSchema")},
    ("POST", "/__admin/faults"): {"body": _FAULTS + "RuleSchema", "ok": _FAULTS + "RuleSchema",
                                  "errors": {413: None}},
    ("DELETE", "/__admin/faults"): {"ok": DeletedOut},
    ("DELETE", "/__admin/faults/{id}"): {"ok": DeletedOut},
}
# The contact center's moves (§5), each by id and by ext_{externalId}.
for _move, _body in (("route", None), ("handle", _SIM + "HandleRequest"), ("requeue", None),
                     ("update", "mocknexus.schemas.vendor:UpdateInteractionRequest"),
                     ("stop", _SIM + "AdminStopRequest")):
    for _ref in ("{interactionId}", "ext_{externalId}"):
        ADMIN[("POST", f"/__admin/interactions/{{openMediaService}}/{_ref}/{_move}")] = {
            "body": _body, "ok": AdminInteractionOut,
            "errors": {409: None} if _move in ("route", "handle", "requeue") else {}}
ADMIN[("GET", "/__admin/services/{name}/lifecycle")] = {"ok": _SIM + "LifecycleBody"}
ADMIN[("PUT", "/__admin/services/{name}/lifecycle")] = {"body": _SIM + "LifecycleBody", "ok": _SIM + "LifecycleBody"}
_HOOKS = "mocknexus.schemas.webhooks:"
ADMIN.update({  # the interactions webhook (§6)
    ("POST", "/__admin/webhooks"): {"body": _HOOKS + "WebhookSchema", "ok": WebhookOut, "errors": {409: None}},
    ("GET", "/__admin/webhooks"): {"ok": _HOOKS + "WebhooksOut"},
    ("DELETE", "/__admin/webhooks"): {"ok": DeletedOut},
    ("DELETE", "/__admin/webhooks/{webhookId}"): {"ok": DeletedOut},
    ("GET", "/__admin/webhooks/deliveries"): {"query": _HOOKS + "DeliveriesQuery", "ok": _HOOKS + "DeliveriesOut"},
    ("POST", "/__admin/webhooks/deliveries/wait"): {"body": _HOOKS + "DeliveryWait", "optional": True,
                                                    "ok": _HOOKS + "DeliveriesOut",
                                                    "errors": {408: "wait-timeout:deliveries"}},
})


def resolve(target):
    """A schema class, or a "module:Name" of one; None when that module or name does not exist (yet)."""
    if not isinstance(target, str):
        return target
    module, _, name = target.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


_WAITED = {"requests": _ADMIN + "RequestRecordOut", "deliveries": _HOOKS + "DeliveryOut"}


def wait_timeout_schema(key: str = "requests") -> dict:
    """The 408 of a wait (journal, deliveries): the error envelope plus what matched so far under `key`."""
    record = resolve(_WAITED[key])
    return {"type": "object", "required": ["status", key],
            "properties": {"status": StatusOut, key: {"type": "array", "items": record or {"type": "object"}}}}
