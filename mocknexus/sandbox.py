"""Sandbox: a namespace of one's own on a shared server, set up from fixtures and settings, dropped at the end."""

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

from mocknexus.client import AdminClient, parse_time


class Sandbox(AdminClient):
    """A namespace of one's own on a shared server, made ready with `fixtures` (paths or documents, merged
    onto the server's own fixtures, or onto `base` instead when given) and `settings`, and dropped by close().
    The pytest fixture `mocknexus` is one."""

    def __init__(self, root: str, name: str | None = None, fixtures=(), settings: dict | None = None,
                 base=None, **client):
        super().__init__(root, name or namespace_name(), **client)
        self.fixture_documents = read_documents(fixtures)
        self.base_documents = None if base is None else read_documents(base)
        self.start_settings = dict(settings or {})
        self._state = None

    def open(self) -> "Sandbox":
        """Make the namespace, then apply the settings and fixtures. Made now, not on first use, so that a
        first request refused for its key is journaled too (a refused request makes no namespace, §9)."""
        self.health()
        if self.start_settings:
            self.settings(**self.start_settings)
        if self.fixture_documents or self.base_documents is not None:
            base = [self.state()] if self.base_documents is None else self.base_documents
            self._state = self.load_state(merge_documents([*base, *self.fixture_documents]))
        return self

    def reset(self) -> None:
        """Back to this namespace's start: the server's fixtures plus this sandbox's, and its settings."""
        super().reset()
        self.open()

    @property
    def api_key(self) -> str:
        """A key the fixtures accept for every service (or the first usable one); any-key mode: a made-up one."""
        if self._state is None:
            self._state = self.state()
        return pick_api_key(self._state["apiKeys"], datetime.now(UTC)) or f"mocknexus-{self.namespace}"

    def close(self, drop: bool = True) -> None:
        """Drop the namespace (unless the caller drops it some cheaper way) and let go of the connections."""
        try:
            if drop:
                self.drop_namespace(self.namespace)
        finally:
            super().close()


def namespace_name(hint: str = "") -> str:
    """A fresh namespace name: the hint (a test's name) made URL-safe, and 12 random hex digits."""
    safe = re.sub(r"[^A-Za-z0-9._~-]+", "-", hint).strip("-")[:80]
    return f"{safe}-{uuid.uuid4().hex[:12]}" if safe else uuid.uuid4().hex


def read_documents(sources) -> list[dict]:
    """Fixture documents from dicts, files and folders (their *.json in name order), in the order given."""
    documents = []
    for source in sources:
        if isinstance(source, dict):
            documents.append(source)
            continue
        path = Path(source)
        files = sorted(p for p in path.iterdir() if p.suffix == ".json") if path.is_dir() else [path]
        for file in files:
            try:
                documents.append(json.loads(file.read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:
                raise ValueError(f"mocknexus fixtures: {file}: {exc}") from None
    return documents


def merge_documents(documents: list[dict]) -> dict:
    """Merge fixture documents as `serve --fixtures` does: services and keys by name (later wins),
    interactions and webhooks appended. The server validates the result."""
    services, keys, interactions, webhooks = {}, {}, [], []
    for doc in documents:
        if not isinstance(doc, dict):
            raise ValueError(f"mocknexus fixtures: a fixture document must be a JSON object, not {doc!r:.60}")
        for service in doc.get("services", []):
            services[service.get("name") if isinstance(service, dict) else service] = service
        for key in doc.get("apiKeys", []):
            keys[key.get("key") if isinstance(key, dict) else key] = key
        interactions.extend(doc.get("interactions", []))
        webhooks.extend(doc.get("webhooks", []))
    return {"services": list(services.values()), "apiKeys": list(keys.values()), "interactions": interactions,
            "webhooks": webhooks}


def pick_api_key(keys: list, now: datetime) -> str | None:
    """The first enabled, unexpired key for all services; else the first enabled, unexpired one; else None."""
    usable = []
    for key in keys:
        key = {"key": key} if isinstance(key, str) else key
        expires = key.get("expiresAt")
        if key.get("enabled", True) and (expires is None or parse_time(expires) > now):
            usable.append(key)
    best = [k for k in usable if k.get("services") is None] or usable
    return best[0]["key"] if best else None
