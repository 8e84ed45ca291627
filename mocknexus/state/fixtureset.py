"""The fixture set every world starts from (§3), and the checks that turn loaded documents into it; no marshmallow."""

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from mocknexus.core.models import STOPPED, ApiKey, Interaction
from mocknexus.state.webhooks import MAX_WEBHOOKS


class FixtureError(Exception):
    """One or more problems in fixture input; each is (where, JSON path, what is wrong)."""

    def __init__(self, items: list[tuple[str, str, str]]):
        self.items = items
        super().__init__("; ".join(self.lines()))

    def lines(self) -> list[str]:
        return [f"{where}: {path}: {what}" if where else f"{path}: {what}" for where, path, what in self.items]

    def details(self) -> dict:
        """The problems as the 400 envelope's details: {JSON path: [problems]}."""
        out: dict = {}
        for _, path, what in self.items:
            out.setdefault(path, []).append(what)
        return out


@dataclass(frozen=True)
class FixtureSet:
    """What every world starts from. Interactions are templates: worlds take shallow copies."""

    services: dict
    api_keys: dict
    interactions: tuple
    webhooks: tuple = ()

    @classmethod
    def empty(cls) -> "FixtureSet":
        return cls({}, {}, ())

    def with_api_keys(self, keys: list[str]) -> "FixtureSet":
        extra = {key: ApiKey(key) for key in keys}
        return replace(self, api_keys={**self.api_keys, **extra})

    def fresh_interactions(self) -> list[Interaction]:
        return [i.copy() for i in self.interactions]

    def to_json(self, interactions=None, prefix: str = "") -> dict:
        """A fixture document; `interactions` defaults to the templates."""
        interactions = self.interactions if interactions is None else interactions
        return {
            "services": [s.to_json() for s in self.services.values()],
            "apiKeys": [k.to_json() for k in self.api_keys.values()],
            "interactions": [i.admin_json(prefix) for i in interactions],
            "webhooks": [w.to_json() for w in self.webhooks],
        }


def build_interactions(docs: list, services: dict, now: datetime, existing=(), where: str = "",
                       base: str = "$.interactions", new_id=None) -> list[Interaction]:
    """Loaded interaction fixtures (with the document's keys: `openMediaService`, `receivedAt`...) → Interaction
    objects; checks services, duplicate ids and live externalIds. `new_id()` gives the id of one that has none
    (default: a random UUID)."""
    new_id = new_id or (lambda: str(uuid.uuid4()))
    errors, built = [], []
    ids = {i.id for i in existing}
    live_ext = {(i.service.name, i.external_id) for i in existing if i.live and i.external_id is not None}
    for n, doc in enumerate(docs):  # 200,000 of them in the benchmark: paths are made only for errors
        service = services.get(doc["openMediaService"])
        if service is None:
            errors.append((where, f"{base}[{n}].openMediaService", f"names no service: '{doc['openMediaService']}'"))
            continue
        interaction_id = doc.get("id") or new_id()
        if interaction_id in ids:
            errors.append((where, f"{base}[{n}].id", f"id '{interaction_id}' is used twice"))
        ids.add(interaction_id)
        stopped = doc["state"] == STOPPED
        ext = doc.get("externalId")
        if ext is not None and not stopped:
            key = (service.name, ext)
            if key in live_ext:
                errors.append((where, f"{base}[{n}].externalId",
                               f"two live interactions of '{service.name}' have externalId '{ext}'"))
            live_ext.add(key)
        received = doc.get("receivedAt") or now
        interaction = _new(Interaction)
        _init(interaction, id=interaction_id, service=service, external_id=ext,
              parent_id=doc.get("parentInteractionId"), received_at=received,
              submitted_at=doc.get("submittedAt") or received, user_data=doc["userData"], state=doc["state"],
              stopped_at=(doc.get("stoppedAt") or now) if stopped else None,
              stop_reason=(doc.get("stopReason") or {"systemName": None, "description": None}) if stopped else None,
              stopped_by=doc.get("stoppedBy") if stopped else None, agent=doc.get("agent"))
        built.append(interaction)
    if errors:
        raise FixtureError(errors)
    return built


# Interaction(**fields), as calling the class runs it, but without the dict of keywords that type.__call__
# makes for __init__: 0.45 µs, not 1.1, for each of 200,000 fixture interactions (by keyword all the same:
# safe for fields others add).
_new, _init = object.__new__, Interaction.__init__


def build_set(named_docs: list[tuple[str, dict]], now: datetime, new_id=None) -> FixtureSet:
    """Merge validated documents in order: services and keys by name (later wins), interactions appended."""
    services, api_keys = {}, {}
    for _, doc in named_docs:
        services.update((s.name, s) for s in doc["services"])
        api_keys.update((k.key, k) for k in doc["api_keys"])
    errors, interactions = [], []
    for where, doc in named_docs:
        for k, key in enumerate(doc["api_keys"]):
            for name in key.services or ():
                if name not in services:
                    errors.append((where, f"$.apiKeys[{k}].services", f"names no service: '{name}'"))
        try:
            interactions.extend(build_interactions(doc["interactions"], services, now, interactions, where,
                                                   new_id=new_id))
        except FixtureError as exc:
            errors.extend(exc.items)
    webhooks = [w for _, doc in named_docs for w in doc.get("webhooks", ())]
    errors.extend(webhook_problems(webhooks))
    if errors:
        raise FixtureError(errors)
    return FixtureSet(services, api_keys, tuple(interactions), tuple(webhooks))


def webhook_problems(webhooks: list) -> list[tuple[str, str, str]]:
    """Webhooks of every document together: ids used once, at most MAX_WEBHOOKS of them (§9)."""
    errors, seen = [], set()
    for n, webhook in enumerate(webhooks):
        if webhook.id in seen:
            errors.append(("", f"$.webhooks[{n}].id", f"id '{webhook.id}' is used twice"))
        seen.add(webhook.id)
    if len(webhooks) > MAX_WEBHOOKS:
        errors.append(("", "$.webhooks", f"{len(webhooks)} webhooks; a namespace holds at most {MAX_WEBHOOKS}"))
    return errors
