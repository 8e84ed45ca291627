"""The things the fake keeps: services, API keys, interactions; stdlib only."""

import operator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime

RESERVED_KEYS = frozenset(
    """InteractionId ParentId ExternalId MediaType Type Subtype State StagingArea SubmittedBy TenantId
    ReceivedAt SubmittedAt DeliveredAt PlacedInQueueAt WorkbinAgentId WorkbinAgentGroupId WorkbinPlaceId
    WorkbinPlaceGroupId Queue InteractionType InteractionSubtype InteractionState IsLocked IsOnline
    MovedToQueueAt AbandonedAt""".split()
)

QUEUED = "queued"
ROUTING = "routing"  # a strategy has it (§5)
HANDLING = "handling"  # an agent has it (§5)
STOPPED = "stopped"
STATES = (QUEUED, ROUTING, HANDLING, STOPPED)
STOPPERS = ("client", "agent", "workflow", "system")  # who stopped an interaction: its stoppedBy (§5)


def iso(moment: datetime | None) -> str | None:
    """UTC ISO-8601 with milliseconds and a Z, the one format the API writes times in."""
    if moment is None:
        return None
    if moment.tzinfo is UTC:  # the usual case (the clock's, the schemas'): no conversion to make
        return moment.isoformat(timespec="milliseconds")[:-6] + "Z"  # "+00:00" -> "Z"
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    # isoformat, not strftime: strftime writes year 1 as "1", not "0001".
    return moment.isoformat(timespec="milliseconds") + "Z"


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a service's lifecycle (§5.1): `action` done `after` seconds past an interaction's submittedAt."""

    after: float
    action: str  # route, handle, requeue, update or stop
    agent: str | None = None  # handle
    by: str = "agent"  # stop
    reason_system_name: str | None = None  # stop
    reason_description: str | None = None  # stop
    changed: dict | None = None  # update, as the vendor's update body
    added: dict | None = None
    deleted: tuple | None = None

    def to_json(self) -> dict:
        out = {"after": int(self.after) if self.after.is_integer() else self.after, "action": self.action}
        if self.action == "handle":
            out["agent"] = self.agent
        elif self.action == "stop":
            out.update(by=self.by, reasonSystemName=self.reason_system_name,
                       reasonDescription=self.reason_description)
        elif self.action == "update":
            parts = (("changedProperties", self.changed), ("addedProperties", self.added),
                     ("deletedProperties", None if self.deleted is None else list(self.deleted)))
            out.update((key, value) for key, value in parts if value is not None)
        return out


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    media_type: str = "openmedia"
    interaction_type: str = "Inbound"
    interaction_subtype: str = "InboundNew"
    # As loaded from the fixtures; a world keeps its own (PUT /__admin/services/{name}/lifecycle).
    lifecycle: tuple = field(default=(), compare=False)

    def to_json(self) -> dict:
        out = {
            "name": self.name,
            "mediaType": self.media_type,
            "interactionType": self.interaction_type,
            "interactionSubtype": self.interaction_subtype,
        }
        if self.lifecycle:
            out["lifecycle"] = [step.to_json() for step in self.lifecycle]
        return out


@dataclass(frozen=True, slots=True)
class ApiKey:
    key: str
    enabled: bool = True
    expires_at: datetime | None = None
    services: tuple | None = None  # None: every service

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "enabled": self.enabled,
            "expiresAt": iso(self.expires_at),
            "services": list(self.services) if self.services is not None else None,
        }


@dataclass(slots=True)
class Interaction:
    id: str
    service: Service
    external_id: str | None
    parent_id: str | None
    received_at: datetime
    submitted_at: datetime
    user_data: dict = field(default_factory=dict)
    state: str = QUEUED
    stopped_at: datetime | None = None
    stop_reason: dict | None = None
    stopped_by: str | None = None  # one of STOPPERS once stopped
    agent: str | None = None  # the agent handling it (§5), shown in the admin view only
    # receivedAt and submittedAt as written, made on first use: they never change, and to_json (every
    # vendor answer) would otherwise format both again each time.
    _times: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def live(self) -> bool:
        return self.state != STOPPED

    def copy(self) -> "Interaction":
        """What copy.copy gives (every slot, as it is), at a fifth of its cost: each world starts from copies
        of the fixture interactions, 200,000 of them in the benchmark."""
        twin = Interaction(*_INIT_FIELDS(self))
        for name in _OTHER_FIELDS:
            setattr(twin, name, getattr(self, name))
        return twin

    def to_json(self, prefix: str = "") -> dict:
        """The §1.2 shape; `prefix` is the namespace path that selfUri carries."""
        times = self._times
        if times is None:
            times = self._times = (iso(self.received_at), iso(self.submitted_at))
        out = {
            "id": self.id,
            "externalId": self.external_id,
            "parentInteractionId": self.parent_id,
            "openMediaService": self.service.name,
            "mediaType": self.service.media_type,
            "interactionType": self.service.interaction_type,
            "interactionSubtype": self.service.interaction_subtype,
            "state": self.state,
            "receivedAt": times[0],
            "submittedAt": times[1],
            "userData": self.user_data,
            "selfUri": f"{prefix}/nexus/v3/openmedia/{self.service.name}/interactions/{self.id}",
        }
        if self.state == STOPPED:
            out["stoppedAt"] = iso(self.stopped_at)
            out["stopReason"] = self.stop_reason
            out["stoppedBy"] = self.stopped_by
        return out

    def admin_json(self, prefix: str = "") -> dict:
        """What the admin API shows: the vendor's shape plus the handling `agent` (§5)."""
        out = self.to_json(prefix)
        out["agent"] = self.agent
        return out


EVENTS = ("STARTED", "FINISHED")  # what the interactions webhook is told of (§6)


@dataclass(frozen=True, slots=True)
class Webhook:
    """A registered receiver of interaction events (§6)."""

    id: str
    url: str
    secret: str = ""
    events: tuple = EVENTS
    services: tuple | None = None  # None: every service
    retries: int = 3
    retry_delay_ms: int = 1000
    timeout_ms: int = 10000

    def wants(self, event: str, service: str) -> bool:
        return event in self.events and (self.services is None or service in self.services)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "url": self.url,
            "secret": self.secret,
            "events": list(self.events),
            "services": list(self.services) if self.services is not None else None,
            "retries": self.retries,
            "retryDelayMs": self.retry_delay_ms,
            "timeoutMs": self.timeout_ms,
        }


# Interaction's fields in __init__'s order, read in one call, and the others: what copy() copies.
_INIT_FIELDS = operator.attrgetter(*(f.name for f in fields(Interaction) if f.init))
_OTHER_FIELDS = tuple(f.name for f in fields(Interaction) if not f.init)
