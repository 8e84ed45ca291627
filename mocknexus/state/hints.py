"""Hints on a vendor 404 (§10): what the caller probably meant, told from what its own namespace holds."""

import difflib

from mocknexus.core.models import iso

MAX_NAME = 255  # a longer service name is no near miss of a real one (and difflib is quadratic)
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
        elsewhere = [name for name in sorted(store.services) if name != service_name
                     and _live(store.lookup(name, external_id=external_id))]
        return f"externalId '{external_id}' is live in service '{elsewhere[0]}', not '{service_name}'" \
            if elsewhere else None
    found = store.lookup(None, interaction_id=interaction_id)
    if _live(found):
        return f"interaction '{interaction_id}' is in service '{found.service.name}', not '{service_name}'"
    return None


def _nearest_service(services, name: str) -> str | None:
    if len(name) > MAX_NAME:
        return None
    near = difflib.get_close_matches(name, sorted(services), n=1, cutoff=0.6)
    return f"no service '{name}'; did you mean '{near[0]}'?" if near else None


def _stopped(interaction) -> str:
    who = interaction.stopped_by or "client"  # fixtures from before §5 may carry none
    return f"interaction '{interaction.id}' was stopped at {iso(interaction.stopped_at)} by {_WHO.get(who, who)}"


def _live(interaction) -> bool:
    return interaction is not None and interaction.live
