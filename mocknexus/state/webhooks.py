"""One world's webhooks (§6): the registry, its delivery records (bounded like the journal), one lane per webhook."""

import json
import random
import threading
import time
import uuid
import weakref
from collections import deque
from datetime import UTC, datetime

from mocknexus.core.errors import BadRequest, Conflict
from mocknexus.core.hold import Bell
from mocknexus.core.models import Interaction, Webhook, iso
from mocknexus.state.sender import Sender, post, signature

MAX_WEBHOOKS = 100
MAX_PENDING_BYTES = 64 * 1024 * 1024  # bodies waiting to be sent, per namespace
KEPT_BODY = 64 * 1024  # a record keeps a body up to this size whole, as the journal does (§9)
MATCH_KEYS = ("webhook", "event", "state")
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def new_trace() -> str:
    """A trace id for an event no vendor request caused (a §5 move, a timetable step): 16 hex digits."""
    return f"{random.getrandbits(64):016x}"


def matcher(match: dict):
    tests = [(key, value) for key, value in match.items() if key in MATCH_KEYS and value is not None]
    return lambda record: all(record[key] == value for key, value in tests)


class Lane:
    """One webhook's deliveries, oldest first. Whoever holds its `turn` (set when it is handed to the sender)
    is the only one posting for it, so the next event's POST waits until the one before is delivered or failed."""

    __slots__ = ("_registry", "webhook", "queue", "turn", "closed", "sending")

    def __init__(self, registry: "Webhooks", webhook: Webhook):
        # Weak: the registry holds its lanes, and no reference cycle keeps a dropped world alive (gcpolicy.py).
        self._registry, self.webhook = weakref.ref(registry), webhook
        self.queue: deque = deque()  # of (record, payload bytes, headers)
        self.turn = self.closed = self.sending = False

    def work(self, sender: Sender) -> None:
        """On a sender thread: one attempt at the oldest delivery, then hand the turn on (a retry, the next one)."""
        registry, webhook = self._registry(), self.webhook
        if registry is None:  # its world is gone
            return
        with registry._lock:
            if self.closed or not self.queue:
                self.turn = False
                return
            record, payload, headers = self.queue[0]
            self.sending = True
        moment, started = registry.now(), time.perf_counter()
        status, error = post(webhook.url, payload, headers, webhook.timeout_ms / 1000)
        attempt = {"time": iso(moment), "status": status, "error": error,
                   "durationMs": round((time.perf_counter() - started) * 1000, 3)}
        delivered = status is not None and 200 <= status < 300
        with registry._lock:
            # A new list, not an append: a reader that copied the record outside the lock sees its attempts whole.
            record["attempts"] = [*record["attempts"], attempt]
            self.sending = False
            queued = bool(self.queue) and self.queue[0][0] is record  # else it was dropped meanwhile (_drop)
            retry = queued and not delivered and len(record["attempts"]) <= webhook.retries
            if not retry:
                record["state"] = DELIVERED if delivered else FAILED
                if queued:
                    self.queue.popleft()
                    registry._pending -= 1
                    registry._pending_bytes -= len(payload)
            more = retry or (bool(self.queue) and not self.closed)
            self.turn = more
            registry.bell.ring()
        if more:
            sender.submit(self, webhook.retry_delay_ms / 1000 if retry else 0.0)


class Webhooks:
    """The webhooks of one world and their deliveries. One lock (a condition, for waits) over the registry, the
    records and the lanes; records are plain dicts whose `state` and `attempts` only change under it."""

    def __init__(self, sender: Sender, size: int, now=None):
        self.sender, self.size = sender, size
        self.now = now or (lambda: datetime.now(UTC))  # the world's clock (World.reset sets it)
        self.hooks: dict[str, Webhook] = {}  # replaced whole (copy on write): the vendor path reads it unlocked
        self._lanes: dict[str, Lane] = {}
        self._records: deque = deque(maxlen=size)
        self._last_id = 0
        self._pending = 0  # deliveries queued in lanes, across every webhook: at most `size`
        self._pending_bytes = 0  # and their bodies: at most MAX_PENDING_BYTES
        self._lock = threading.RLock()
        self.bell = Bell()  # rung after each change: what a held delivery wait listens to (core/hold.py)

    def load(self, webhooks) -> None:
        """Replace every webhook (reset, PUT /__admin/state); the old ones' pending deliveries fail."""
        with self._lock:
            for lane in self._lanes.values():
                self._close(lane)
            self.hooks = {w.id: w for w in webhooks}
            self._lanes = {w.id: Lane(self, w) for w in webhooks}

    def add(self, webhook: Webhook) -> Webhook:
        with self._lock:
            if webhook.id in self.hooks:
                raise Conflict(f"A webhook with id '{webhook.id}' is already registered")
            if len(self.hooks) >= MAX_WEBHOOKS:
                raise BadRequest(f"A namespace holds at most {MAX_WEBHOOKS} webhooks; remove one first")
            self._lanes[webhook.id] = Lane(self, webhook)
            self.hooks = {**self.hooks, webhook.id: webhook}
        return webhook

    def remove(self, webhook_id: str) -> bool:
        """Unregister one; its pending deliveries fail (nothing more is sent to it)."""
        with self._lock:
            if webhook_id not in self.hooks:
                return False
            self.hooks = {k: v for k, v in self.hooks.items() if k != webhook_id}
            self._close(self._lanes.pop(webhook_id))
            return True

    def clear(self) -> int:
        with self._lock:
            count = len(self.hooks)
            self.load(())
            return count

    def clear_deliveries(self) -> None:
        with self._lock:
            self._records = deque(maxlen=self.size)
            self._last_id = 0
            self.bell.ring()

    def close(self) -> int:
        """Drop every pending delivery (the namespace or the server is going away): how many there were."""
        with self._lock:
            return sum(self._drop(lane) for lane in self._lanes.values())

    def notify(self, event: str, interaction: Interaction, trace: str | None, prefix: str = "") -> None:
        """Queue one POST of `event` to every webhook that wants it; sent in the background, in event order."""
        hooks = [w for w in self.hooks.values() if w.wants(event, interaction.service.name)]
        if not hooks:
            return
        body = {"operationId": str(uuid.UUID(int=random.getrandbits(128), version=4)),
                "data": {"entities": [{"event": event, "entity": interaction.to_json(prefix)}]}}
        payload = json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
        if len(payload) > KEPT_BODY:
            body = {"truncated": True, "bytes": len(payload), "head": payload[:1024].decode("utf-8", "ignore")}
        trace = trace or new_trace()
        handed = []
        with self._lock:
            for webhook in hooks:
                lane = self._lanes.get(webhook.id)
                if lane is not None and self._queue(lane, event, interaction.id, body, payload, trace):
                    handed.append(lane)
            self.bell.ring()
        for lane in handed:
            self.sender.submit(lane)

    def find(self, match: dict | None = None, limit: int | None = None) -> list[dict]:
        test = matcher(match or {})
        with self._lock:
            found = [dict(r) for r in self._records if test(r)]
        return found[-limit:] if limit else found

    def waiter(self, match: dict, count: int = 1) -> "DeliveryWaiter":
        """The condition "`count` deliveries match" for a Hold on `bell` (core/hold.py)."""
        return DeliveryWaiter(self, matcher(match), count)

    def _queue(self, lane: Lane, event, interaction_id, body, payload, trace) -> bool:
        """A record for one delivery, queued on its lane; True when the lane must be handed to the sender."""
        self._last_id += 1
        record = {"id": self._last_id, "webhook": lane.webhook.id, "event": event, "interactionId": interaction_id,
                  "state": PENDING, "body": body, "attempts": []}
        self._records.append(record)
        # A receiver that never answers must not make memory grow without end.
        if self._pending >= self.size or self._pending_bytes + len(payload) > MAX_PENDING_BYTES:
            record["state"] = FAILED
            record["attempts"] = [{"time": iso(self.now()), "status": None, "durationMs": 0.0,
                                   "error": f"not sent: {self._pending} deliveries ({self._pending_bytes} bytes) "
                                            "of this namespace are pending"}]
            return False
        headers = {"Content-Type": "application/json", "X-Hub-Signature": signature(lane.webhook.secret, payload),
                   "X-B3-TraceId": trace, "User-Agent": "mocknexus-webhook"}
        lane.queue.append((record, payload, headers))
        self._pending += 1
        self._pending_bytes += len(payload)
        if lane.turn:
            return False
        lane.turn = True
        return True

    def _close(self, lane: Lane) -> None:
        lane.closed = True
        self._drop(lane)

    def _drop(self, lane: Lane) -> int:
        """Its pending deliveries fail, unsent: how many. One already on the wire finishes and says how it went."""
        dropped = len(lane.queue) - (1 if lane.sending else 0)
        for record, payload, _ in lane.queue:
            record["state"] = FAILED
            self._pending_bytes -= len(payload)
        self._pending -= len(lane.queue)
        lane.queue.clear()
        self.bell.ring()
        return dropped


class DeliveryWaiter:
    """`ready()`: do `count` deliveries match? `found` holds them (copies), oldest first. Deliveries change state
    (pending, then delivered or failed), so each check looks at them all again: at most `size` records."""

    def __init__(self, registry: Webhooks, test, count: int):
        self.registry, self.test, self.count = registry, test, count
        self.found: list[dict] = []

    def ready(self) -> bool:
        with self.registry._lock:
            self.found = [dict(r) for r in self.registry._records if self.test(r)]
        return len(self.found) >= self.count
