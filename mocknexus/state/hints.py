"""Hints on a vendor 404 (§10): what the caller probably meant, told from what its own namespace holds."""

import difflib
import time

from mocknexus.core.models import iso

MAX_NAME = 255  # a longer service name is no near miss of a real one (and difflib is quadratic)
CUTOFF = 0.6  # difflib.get_close_matches's
# A hint is looked for this long at most: comparing a name with every service of a namespace that has
# thousands (difflib, a quadratic per pair) would hold the 404 for seconds, and a small vendor request may be
# served on the I/O thread that every connection waits for (serving/inline.py). Past it, no hint.
SECONDS = 0.002
_WHO = {"client": "the client"}  # stoppedBy (§5) as a hint says it: "by agent", "by the client"


def hint(store, service_name: str, interaction_id=None, external_id=None) -> str | None:
    """One line, or None where nothing near exists. Called on the 404 path only: a success never pays."""
    if service_name not in store.services:
        return _nearest_service(store.services, service_name)
    if interaction_id is None and external_id is None:
        return None  # a create's missing parent: its message says which
    found = store.lookup(service_name, interaction_id, external_id)
    if found is not None and not found.live:
        return _stopped(found)
    if external_id is not None:
        elsewhere = min((name for name in _within_time(store.services) if name != service_name
                         and _live(store.lookup(name, external_id=external_id))), default=None)
        return f"externalId '{external_id}' is live in service '{elsewhere}', not '{service_name}'" \
            if elsewhere else None
    found = store.lookup(None, interaction_id=interaction_id)
    if _live(found):
        return f"interaction '{interaction_id}' is in service '{found.service.name}', not '{service_name}'"
    return None


def _nearest_service(services, name: str) -> str | None:
    if len(name) > MAX_NAME:
        return None
    # difflib.get_close_matches(name, services, n=1), but for SECONDS at most
    matcher, best = difflib.SequenceMatcher(), None
    matcher.set_seq2(name)  # the sequence compared with many goes second: difflib caches what it learns of it
    for candidate in _within_time(services):
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF:
            score = (matcher.ratio(), candidate)
            if score[0] >= CUTOFF and (best is None or score > best):
                best = score
    return f"no service '{name}'; did you mean '{best[1]}'?" if best else None


def _within_time(names):
    """The names, until SECONDS have passed."""
    deadline = time.monotonic() + SECONDS
    for name in names:
        if time.monotonic() > deadline:
            return
        yield name


def _stopped(interaction) -> str:
    who = interaction.stopped_by or "client"  # fixtures from before §5 may carry none
    return f"interaction '{interaction.id}' was stopped at {iso(interaction.stopped_at)} by {_WHO.get(who, who)}"


def _live(interaction) -> bool:
    return interaction is not None and interaction.live
