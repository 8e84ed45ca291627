"""The interactions of one world, by id and by (service, externalId); one lock; knows nothing of HTTP."""

import threading
from datetime import datetime

from mocknexus.core.errors import BadRequest, Conflict, NotFound
from mocknexus.core.models import STOPPED, Interaction, Service


class InteractionStore:
    """Create/get/stop/update as the vendor defines them. Every state change happens under one lock,
    and the dicts it hands out are never mutated afterwards (update builds a new userData), so
    callers may serialise them outside the lock."""

    def __init__(self, services: dict, settings, clock, ids, interactions=()):
        self.services: dict[str, Service] = services
        self.settings = settings
        self.clock = clock
        self.ids = ids
        self._lock = threading.Lock()
        self._by_id: dict[str, Interaction] = {}
        # (service, externalId) -> the newest interaction that carried it, live or stopped.
        self._by_ext: dict[tuple, Interaction] = {}
        for interaction in interactions:  # already checked (fixtures): no second pass
            self._add(interaction)

    def __len__(self) -> int:
        return len(self._by_id)

    def live_count(self) -> int:
        # Counted on a copy made under the lock: walking the dict itself while a create adds to it is a
        # "dictionary changed size during iteration" (a 500 on health and namespaces).
        return sum(1 for i in self.all() if i.live)

    def all(self) -> list[Interaction]:
        with self._lock:
            return list(self._by_id.values())

    def service(self, name: str) -> Service:
        service = self.services.get(name)
        if service is None:
            raise NotFound(f"Open media service '{name}' is not found")
        return service

    def create_interaction(self, service_name: str, external_id=None, parent_id=None,
                           received_at: datetime | None = None, user_data=None) -> Interaction:
        service = self.service(service_name)
        with self._lock:
            if external_id is not None:
                existing = self._by_ext.get((service_name, external_id))
                if existing is not None and existing.live:
                    raise Conflict(f"An interaction with externalId '{external_id}' already exists "
                                   f"in service '{service_name}' (id {existing.id})")
            if parent_id is not None:
                parent = self._by_id.get(parent_id)
                if parent is None or parent.service.name != service_name or not parent.live:
                    raise NotFound(f"Parent interaction '{parent_id}' is not found in service '{service_name}'")
            now = self.clock.now()
            interaction = Interaction(
                id=self._new_id(), service=service, external_id=external_id, parent_id=parent_id,
                received_at=received_at or now, submitted_at=now, user_data=user_data or {},
            )
            self._add(interaction)
            return interaction

    def get_interaction(self, service_name: str, interaction_id=None, external_id=None) -> Interaction:
        self.service(service_name)
        interaction = self._find(service_name, interaction_id, external_id)
        if not interaction.live and not self.settings.retain_stopped:
            raise self._not_found(service_name, interaction_id, external_id)
        return interaction

    def stop_interaction(self, service_name: str, interaction_id=None, external_id=None,
                         reason_system_name=None, reason_description=None) -> Interaction:
        self.service(service_name)
        with self._lock:
            interaction = self._find_live(service_name, interaction_id, external_id)
            finish(interaction, self.clock.now(), reason_system_name, reason_description, "client")
            return interaction

    def update_interaction(self, service_name: str, interaction_id=None, external_id=None,
                           changed=None, added=None, deleted=None) -> Interaction:
        self.service(service_name)
        with self._lock:
            interaction = self._find_live(service_name, interaction_id, external_id)
            interaction.user_data = updated(interaction.user_data, changed, added, deleted)
            return interaction

    def lookup(self, service_name: str | None, interaction_id=None, external_id=None) -> Interaction | None:
        """The interaction an id or externalId names, live or stopped, or None; `service_name` None: an id in
        any service. For hints (state/hints.py); the dicts are read atomically, no lock needed."""
        if external_id is not None:
            return self._by_ext.get((service_name, external_id))
        found = self._by_id.get(interaction_id)
        return found if found is not None and service_name in (None, found.service.name) else None

    def load(self, interactions: list[Interaction]) -> None:
        """Add interactions as they are (fixtures, seeding); all or nothing."""
        with self._lock:
            seen_ids, seen_ext = set(self._by_id), {k for k, v in self._by_ext.items() if v.live}
            for i in interactions:
                if i.id in seen_ids:
                    raise BadRequest(f"Interaction id '{i.id}' is used twice")
                seen_ids.add(i.id)
                if i.live and i.external_id is not None:
                    key = (i.service.name, i.external_id)
                    if key in seen_ext:
                        raise BadRequest(f"Two live interactions of service '{key[0]}' have externalId '{key[1]}'")
                    seen_ext.add(key)
            for i in interactions:
                self._add(i)

    def _add(self, interaction: Interaction) -> None:
        self._by_id[interaction.id] = interaction
        if interaction.external_id is not None:
            key = (interaction.service.name, interaction.external_id)
            current = self._by_ext.get(key)
            if current is None or not current.live or interaction.live:
                self._by_ext[key] = interaction

    def _new_id(self) -> str:
        while True:
            new = self.ids.new(self.settings.id_style)
            if new not in self._by_id:
                return new

    def _find(self, service_name, interaction_id, external_id) -> Interaction:
        if external_id is not None:
            interaction = self._by_ext.get((service_name, external_id))
        else:
            interaction = self._by_id.get(interaction_id)
            if interaction is not None and interaction.service.name != service_name:
                interaction = None
        if interaction is None:
            raise self._not_found(service_name, interaction_id, external_id)
        return interaction

    def _find_live(self, service_name, interaction_id, external_id) -> Interaction:
        interaction = self._find(service_name, interaction_id, external_id)
        if not interaction.live:
            if not self.settings.retain_stopped:
                raise self._not_found(service_name, interaction_id, external_id)
            raise Conflict(f"Interaction '{interaction.id}' is stopped")
        return interaction

    @staticmethod
    def _not_found(service_name, interaction_id, external_id) -> NotFound:
        what = f"externalId '{external_id}'" if external_id is not None else f"id '{interaction_id}'"
        return NotFound(f"No interaction with {what} in service '{service_name}'")



def finish(interaction: Interaction, moment: datetime, reason_system_name, reason_description, by: str) -> None:
    """Stop it (the caller holds the store's lock): by the client, or by the contact center (§5)."""
    interaction.stopped_at = moment
    interaction.stop_reason = {"systemName": reason_system_name, "description": reason_description}
    interaction.stopped_by = by
    # Last, so a reader outside the lock that sees `stopped` also sees stoppedAt and stopReason.
    interaction.state = STOPPED


def updated(user_data: dict, changed, added, deleted) -> dict:
    """A new userData (the old one is never mutated): changed, then added, then deleted (§1.5)."""
    out = dict(user_data)
    out.update(changed or {})
    out.update(added or {})
    for key in deleted or ():
        out.pop(key, None)
    return out
