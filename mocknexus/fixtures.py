"""Read and validate fixture files (§3) into one immutable FixtureSet; errors name file, JSON path, problem."""

import copy
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from marshmallow import ValidationError

from mocknexus.models import STOPPED, ApiKey, Interaction
from mocknexus.schemas.fixtures import fixture_document, problems


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

    @classmethod
    def empty(cls) -> "FixtureSet":
        return cls({}, {}, ())

    def with_api_keys(self, keys: list[str]) -> "FixtureSet":
        extra = {key: ApiKey(key) for key in keys}
        return FixtureSet(self.services, {**self.api_keys, **extra}, self.interactions)

    def fresh_interactions(self) -> list[Interaction]:
        return [copy.copy(i) for i in self.interactions]

    def to_json(self, interactions=None, prefix: str = "") -> dict:
        """A fixture document; `interactions` defaults to the templates."""
        return {
            "services": [s.to_json() for s in self.services.values()],
            "apiKeys": [k.to_json() for k in self.api_keys.values()],
            "interactions": [i.to_json(prefix) for i in (self.interactions if interactions is None else interactions)],
        }


def expand_paths(paths) -> list[Path]:
    """Files as given; a folder gives its *.json files in name order (none at all is a mistake, said so)."""
    out = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix == ".json" and p.is_file())
            if not found:
                raise FixtureError([(str(path), "$", "a folder with no *.json files")])
            out.extend(found)
        else:
            out.append(path)
    return out


def read_document(path: Path):
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise FixtureError([(str(path), "$", "no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError([(str(path), "$", f"cannot read: {exc}")]) from None
    try:
        doc = json.loads(text)
        json.dumps(doc, ensure_ascii=False).encode("utf-8")  # a lone \ud800 escape would break every answer
        return doc
    except UnicodeEncodeError:
        what = "a lone UTF-16 surrogate escape (\\ud800-\\udfff): not a character"
        raise FixtureError([(str(path), "$", what)]) from None
    except json.JSONDecodeError as exc:
        where = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise FixtureError([(str(path), "$", where)]) from None
    except RecursionError:
        raise FixtureError([(str(path), "$", "JSON nested too deeply")]) from None


def validate_document(raw, where: str = "") -> dict:
    """One fixture document, checked in itself (not yet against other files)."""
    if not isinstance(raw, dict):
        raise FixtureError([(where, "$", "a fixture document must be a JSON object")])
    try:
        return fixture_document.load(raw)
    except ValidationError as exc:
        raise FixtureError([(where, path, what) for path, what in problems(exc)]) from None


def build_interactions(docs: list, services: dict, now: datetime, existing=(), where: str = "",
                       base: str = "$.interactions") -> list[Interaction]:
    """Loaded interaction fixtures → Interaction objects; checks services, duplicate ids and live externalIds."""
    errors, built = [], []
    ids = {i.id for i in existing}
    live_ext = {(i.service.name, i.external_id) for i in existing if i.live and i.external_id is not None}
    for n, doc in enumerate(docs):
        path = f"{base}[{n}]"
        service = services.get(doc["service"])
        if service is None:
            errors.append((where, f"{path}.openMediaService", f"names no service: '{doc['service']}'"))
            continue
        interaction_id = doc.get("id") or str(uuid.uuid4())
        if interaction_id in ids:
            errors.append((where, f"{path}.id", f"id '{interaction_id}' is used twice"))
        ids.add(interaction_id)
        stopped = doc["state"] == STOPPED
        ext = doc.get("external_id")
        if ext is not None and not stopped:
            if (service.name, ext) in live_ext:
                errors.append((where, f"{path}.externalId",
                               f"two live interactions of '{service.name}' have externalId '{ext}'"))
            live_ext.add((service.name, ext))
        received = doc.get("received_at") or now
        built.append(Interaction(
            id=interaction_id, service=service, external_id=ext, parent_id=doc.get("parent_id"),
            received_at=received, submitted_at=doc.get("submitted_at") or received,
            user_data=doc["user_data"], state=doc["state"],
            stopped_at=(doc.get("stopped_at") or now) if stopped else None,
            stop_reason=(doc.get("stop_reason") or {"systemName": None, "description": None}) if stopped else None,
        ))
    if errors:
        raise FixtureError(errors)
    return built


def build_set(named_docs: list[tuple[str, dict]], now: datetime) -> FixtureSet:
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
            interactions.extend(build_interactions(doc["interactions"], services, now, interactions, where))
        except FixtureError as exc:
            errors.extend(exc.items)
    if errors:
        raise FixtureError(errors)
    return FixtureSet(services, api_keys, tuple(interactions))


def load_fixtures(paths, now: datetime) -> FixtureSet:
    """Read files and folders; every problem of every file is collected before raising."""
    errors, docs = [], []
    for given in paths:
        try:
            for path in expand_paths([given]):
                try:
                    docs.append((str(path), validate_document(read_document(path), str(path))))
                except FixtureError as exc:
                    errors.extend(exc.items)
        except FixtureError as exc:  # an empty folder
            errors.extend(exc.items)
    if errors:
        raise FixtureError(errors)
    return build_set(docs, now)
