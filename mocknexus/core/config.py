"""Server-wide configuration and the per-world settings a user may change at run time."""

from dataclasses import dataclass, field, replace

ID_STYLES = ("uuid", "genesys")


@dataclass
class WorldSettings:
    """Settings of one world (namespace); PATCH /__admin/settings changes them, reset restores them."""

    strict: bool = False
    retain_stopped: bool = False
    id_style: str = "uuid"
    max_body: int = 1024 * 1024

    def copy(self) -> "WorldSettings":
        return replace(self)

    def to_json(self) -> dict:
        return {
            "strict": self.strict,
            "retainStopped": self.retain_stopped,
            "idStyle": self.id_style,
            "maxBody": self.max_body,
        }


@dataclass
class ServerConfig:
    """What a server process is started with; fixed for its life."""

    host: str = "127.0.0.1"
    port: int = 8080
    threads: int = 8
    fixtures: list = field(default_factory=list)
    api_keys: list = field(default_factory=list)
    settings: WorldSettings = field(default_factory=WorldSettings)
    seed: int | None = None
    journal_size: int = 10000
    max_namespaces: int = 1000
    allow_header_faults: bool = False
    admin_token: str | None = None
    access_log: bool = False
    # Seconds a connection may sit idle or half-sent before waitress closes it (server.py says why 30).
    channel_timeout: int = 30
    max_connections: int = 1000  # open connections at once, held requests included (§9)
    max_admin_body: int = 64 * 1024 * 1024  # bytes of an admin request body (§9)
    head_timeout: float = 10.0  # seconds a request head may take to arrive, from its first byte (§9)
    body_timeout: float = 30.0  # seconds its body may take, from the end of its head

