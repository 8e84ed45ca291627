"""Fault rules and the registry that matches them against vendor requests (§2.4); no Flask here."""

import itertools
import random
import threading
from dataclasses import dataclass, field, replace

from mocknexus.core.errors import BadRequest

MAX_RULES = 1000  # per namespace (§9)
MAX_RULE_BYTES = 64 * 1024  # of JSON, one rule (its body, headers and pattern): 1000 rules stay under 64 MiB
WIRE_KINDS = ("reset", "truncate")  # kinds that need the connection itself (see wire.py)
WIRE = "mocknexus.wire"  # the environ key under which wire.py hands the app its connection
KINDS = (*WIRE_KINDS, "garbage")
_COST = {"path": 1, "externalId": 2}


@dataclass(frozen=True)
class FaultAction:
    """What a fired rule does: answer `status` (with `body`/`headers`), wait `delay_ms`, break the wire (`kind`),
    and with `apply` run the real operation first."""

    status: int | None = None
    body: object = None
    headers: dict = field(default_factory=dict)
    delay_ms: float | tuple | None = None
    kind: str | None = None
    apply: bool = False

    @property
    def answers(self) -> bool:
        """True when the fault replaces the answer; a delay alone only postpones the real one."""
        return self.status is not None or self.kind is not None


@dataclass(frozen=True)
class Fault:
    """One firing: the rule's id, its action, and the delay (seconds) drawn for this request."""

    rule_id: str
    action: FaultAction
    delay: float = 0.0

    def status_sent(self, status: int) -> int | None:
        """The status the client saw, for the journal: none at all when the connection was reset."""
        return None if self.action.kind == "reset" else status

    def instead(self, **changes) -> "Fault":
        return replace(self, action=replace(self.action, **changes))


@dataclass
class FaultRule:
    """A rule as added: `match` keys (all optional), an action, and when it fires (after/times/probability)."""

    id: str
    match: dict
    action: FaultAction
    times: int | None = None
    after: int = 0
    probability: float = 1.0
    seed: int | None = None
    matched: int = 0
    fired: int = 0

    def __post_init__(self):
        # One generator per rule: a seeded rule draws the same fire/skip pattern (and delays) after a reset.
        self._random = random.Random(self.seed)
        # Cheap equality tests first; the regex next; externalId last (for a create it means reading the body).
        # Each as (key, value, regex search or None), decided once here rather than on every request.
        self._checks = tuple((key, wanted, wanted.search if key == "path" else None)
                             for key, wanted in sorted(self.match.items(), key=lambda item: _COST.get(item[0], 0)))

    def matches(self, facts) -> bool:
        """`facts` maps operation/method/path/service/externalId of the request; `path` here is a patterns.Pattern."""
        for key, wanted, search in self._checks:
            if search is None:
                if facts[key] != wanted:
                    return False
            elif not search(facts[key]):
                return False
        return True

    def draw(self) -> Fault | None:
        """Count one matching request; the Fault if the rule fires on it. Call under the registry lock."""
        self.matched += 1
        if self.matched <= self.after or (self.times is not None and self.fired >= self.times):
            return None
        if self.probability < 1.0 and self._random.random() >= self.probability:
            return None
        self.fired += 1
        return Fault(self.id, self.action, self._delay())

    def _delay(self) -> float:
        delay = self.action.delay_ms
        if isinstance(delay, tuple):
            delay = self._random.uniform(*delay)
        return (delay or 0) / 1000.0


class FaultRegistry:
    """The fault rules of one world. `match` is one truth test when there are no rules.

    `rules` is a tuple replaced whole on every change, so `match` can test and walk it without the lock;
    the lock guards only the counters and the random draws."""

    def __init__(self):
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.rules: tuple[FaultRule, ...] = ()

    def add(self, match: dict, action: FaultAction, **when) -> FaultRule:
        with self._lock:
            if len(self.rules) >= MAX_RULES:  # every vendor request walks them: a cap on what that costs
                raise BadRequest(f"This namespace has {MAX_RULES} fault rules, the most it may have; "
                                 "remove some first (DELETE /__admin/faults)")
            rule = FaultRule(f"f{next(self._ids)}", match, action, **when)
            self.rules = (*self.rules, rule)
        return rule

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            kept = tuple(rule for rule in self.rules if rule.id != rule_id)
            removed, self.rules = len(kept) != len(self.rules), kept
        return removed

    def clear(self) -> int:
        with self._lock:
            count, self.rules = len(self.rules), ()
        return count

    def match(self, facts) -> Fault | None:
        """The first rule, in the order added, that matches and fires; later rules do not see the request."""
        rules = self.rules
        if not rules:
            return None
        for rule in rules:
            if rule.matches(facts):
                with self._lock:
                    fault = rule.draw()
                if fault is not None:
                    return fault
        return None
