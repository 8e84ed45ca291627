"""The x-api-key check of §1.3: 401 for missing/unknown/disabled/expired keys, 403 for another service's key."""

from mocknexus.core.errors import Forbidden, Unauthorized


def check_api_key(world, header: str | None, service_name: str) -> None:
    if not header:
        raise Unauthorized("Missing x-api-key header")
    if not world.api_keys:
        return  # any-key mode: no keys configured, any non-empty key passes
    key = world.api_keys.get(header)
    if key is None:
        raise Unauthorized("Unknown API key")
    if not key.enabled:
        raise Unauthorized("This API key is disabled")
    if key.expires_at is not None and key.expires_at <= world.clock.now():
        raise Unauthorized("This API key has expired")
    if key.services is not None and service_name not in key.services:
        raise Forbidden(f"This API key is not allowed for open media service '{service_name}'")
