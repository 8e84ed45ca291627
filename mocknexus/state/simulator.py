"""The contact center's moves on an interaction (§5): route, handle, requeue, update, stop by agent/workflow/system."""

from datetime import datetime

from mocknexus.core.errors import Conflict, NotFound
from mocknexus.core.models import HANDLING, QUEUED, ROUTING, Interaction
from mocknexus.state.store import InteractionStore, finish, updated

# move → (the states it may start from, the state it ends in)
MOVES = {
    "route": ((QUEUED,), ROUTING),
    "handle": ((QUEUED, ROUTING), HANDLING),
    "requeue": ((ROUTING, HANDLING), QUEUED),
}
STOPPED_BY = ("agent", "workflow", "system")  # the client's own stops come through the vendor API


def find(store: InteractionStore, service_name: str, interaction_id=None, external_id=None) -> Interaction:
    """The live interaction a move names; 404 for a stopped one too, whatever retain_stopped says."""
    store.service(service_name)
    interaction = store._find(service_name, interaction_id, external_id)
    if not interaction.live:
        raise _gone(interaction)
    return interaction


def move(store: InteractionStore, interaction: Interaction, name: str, agent: str | None = None) -> Interaction:
    """route, handle or requeue; 409 when the interaction's state does not allow it."""
    sources, target = MOVES[name]
    with store._lock:
        _check_live(interaction)
        if interaction.state not in sources:
            raise Conflict(f"Interaction '{interaction.id}' is {interaction.state}: it cannot {name} to {target} "
                           f"(only from {' or '.join(sources)})")
        # requeue gives it back: no agent has it any more
        interaction.agent = agent if target == HANDLING else None
        interaction.state = target
    return interaction


def update(store: InteractionStore, interaction: Interaction, changed=None, added=None, deleted=None) -> Interaction:
    """The agent desktop changes userData, by the vendor's update rules (§1.5)."""
    with store._lock:
        _check_live(interaction)
        interaction.user_data = updated(interaction.user_data, changed, added, deleted)
    return interaction


def stop(store: InteractionStore, interaction: Interaction, by: str = "agent", reason_system_name=None,
         reason_description=None, moment: datetime | None = None) -> Interaction:
    """Stopped by another entity than the client, exactly as a client stop leaves it; at `moment` (a timetable's)
    or now."""
    with store._lock:
        _check_live(interaction)
        finish(interaction, moment or store.clock.now(), reason_system_name, reason_description, by)
    return interaction


def _check_live(interaction: Interaction) -> None:
    if not interaction.live:
        raise _gone(interaction)


def _gone(interaction: Interaction) -> NotFound:
    return NotFound(f"Interaction '{interaction.id}' of service '{interaction.service.name}' is stopped "
                    f"(by {interaction.stopped_by or 'a fixture'}): no move applies to it")
