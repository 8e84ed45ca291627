"""Fixture documents that are plainly valid, loaded without marshmallow: `serve` starts without importing it.

What these functions load, they load as the schemas of fixtures.py would (tests/schemas/test_plainload.py
checks it, case by case); anything they are not sure of (a problem, a lifecycle, a webhook, a value of an
unusual type) they leave to those schemas (None), which then load it or report every problem as before.
The rules both use (the id pattern, lengths, choices, times, userData) are defined here, once.

Made for the many small objects of one big document (200,000 fixture interactions): an interaction is loaded
in place, its values kept as the decoded document has them (the document is the reader's own, and nothing
ever changes a userData in place: state/store.py), and a time written the same way twice is parsed once."""

import functools
import re
from datetime import UTC, datetime

from mocknexus.core.models import QUEUED, RESERVED_KEYS, STATES, STOPPERS, ApiKey, Service

MAX_LENGTH = 255  # of a service name, an externalId, an agent
MAX_DEPTH = 8  # of objects nested in a userData
INT_MIN, INT_MAX = -(2**63), 2**63 - 1  # a userData integer is a signed 64-bit one
# An interaction id a selfUri can address: no '.' or '..' (clients fold them away), nothing a URL gives another
# meaning ('/', '?', '#', '%') and nothing a request line cannot carry (spaces, control characters).
ID_PATTERN = r"^(?!ext_)(?!\.\.?$)[^/?#%\s\x00-\x1f\x7f]{1,255}$"
# RFC 3339 (JSON Schema's "date-time", the document's word for these fields): a date, a time to the second and
# an offset. Looser ISO-8601 ("2026-05-01", no offset) is refused: without an offset a moment is a guess.
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", re.ASCII | re.IGNORECASE)
_ID = re.compile(ID_PATTERN)


def parse_time(value: str) -> datetime:
    """An RFC 3339 date-time → an aware UTC datetime; ValueError when it is not one."""
    if not _RFC3339.fullmatch(value):
        raise ValueError(value)
    try:
        # RFC 3339 allows a lower-case t and z; an offset can push the first or last day out of range.
        return datetime.fromisoformat(value.upper()).astimezone(UTC)
    except OverflowError:
        raise ValueError(value) from None


def key_problem(key: str) -> str | None:
    """Why no x-api-key header could carry `key` (HTTP strips the spaces around a value), or None."""
    if key.strip(" \t") != key:
        return "Has spaces or tabs around it, which HTTP strips from a header: no request could send this key."
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in key):
        return "Has a control character, which no header can carry."
    return None


def user_data_ok(value: dict, depth: int = 0) -> bool:
    """True when fields.user_data_problems(value) is empty, found at a fraction of its cost (exact JSON types
    only; anything else is left to user_data_problems)."""
    if depth == 0 and not RESERVED_KEYS.isdisjoint(value):
        return False
    for item in value.values():
        kind = type(item)
        if kind is str:
            continue
        if kind is int:
            if not INT_MIN <= item <= INT_MAX:
                return False
        elif kind is not dict or depth + 1 > MAX_DEPTH or not user_data_ok(item, depth + 1):
            return False
    return True


class _NotPlain(Exception):
    """Raised by a check below: the schemas decide (and report)."""


_NOT_PLAIN = _NotPlain()


def interactions(items) -> list[dict] | None:
    """A document's `interactions` as InteractionFixture loads each, or None. The items are the loaded ones,
    changed in place: the decoded document is the reader's own (a second call gives None, times being
    datetimes by then)."""
    if type(items) is not list:
        return None
    try:
        return [_interaction(item) for item in items]
    except _NotPlain:
        return None


def rest(raw: dict) -> dict | None:
    """The rest of a document (services, apiKeys, no webhooks) as FixtureDocument loads it, or None."""
    if not _DOCUMENT.issuperset(raw) or raw.get("webhooks", []) != []:
        return None
    try:
        return {"services": [_service(item) for item in _list(raw.get("services", []))],
                "api_keys": [_api_key(item) for item in _list(raw.get("apiKeys", []))], "webhooks": []}
    except _NotPlain:
        return None


_DOCUMENT = frozenset(("services", "apiKeys", "interactions", "webhooks"))


def _interaction(item) -> dict:
    """The item itself, checked, its times parsed and its defaults added: what InteractionFixture loads."""
    if type(item) is not dict:
        raise _NOT_PLAIN
    for key, value in item.items():
        item[key] = _INTERACTION.get(key, _unknown)(value)  # a new value for a key, not a new key: allowed
    if "openMediaService" not in item:
        raise _NOT_PLAIN
    if "state" not in item:
        item["state"] = QUEUED
    if "userData" not in item:
        item["userData"] = {}
    return item


def _unknown(value):
    raise _NOT_PLAIN


def _list(value) -> list:
    if type(value) is not list:
        raise _NOT_PLAIN
    return value


def _string(value) -> str:
    if type(value) is not str:
        raise _NOT_PLAIN
    return value


def _string_or_none(value) -> str | None:
    if value is not None and type(value) is not str:
        raise _NOT_PLAIN
    return value


def _name(value) -> str:
    if type(value) is not str or not 0 < len(value) <= MAX_LENGTH:
        raise _NOT_PLAIN
    return value


def _name_or_none(value) -> str | None:
    return None if value is None else _name(value)


def _id(value) -> str:
    if type(value) is not str or _ID.match(value) is None:
        raise _NOT_PLAIN
    return value


def _state(value) -> str:
    if type(value) is not str or value not in STATES:
        raise _NOT_PLAIN
    return value


def _stopper_or_none(value) -> str | None:
    if value is not None and (type(value) is not str or value not in STOPPERS):
        raise _NOT_PLAIN
    return value


@functools.lru_cache(maxsize=4096)  # datetimes are immutable: the same text, the same one
def _cached_time(value: str) -> datetime:
    try:
        return parse_time(value)
    except ValueError:
        raise _NOT_PLAIN from None


def _time_or_none(value) -> datetime | None:
    if value is None:
        return None
    if type(value) is not str:
        raise _NOT_PLAIN
    return _cached_time(value)


def _stop_reason_or_none(value) -> dict | None:
    if value is None:
        return None
    if type(value) is not dict or not _STOP_REASON.issuperset(value):
        raise _NOT_PLAIN
    return {"systemName": _string_or_none(value.get("systemName")),
            "description": _string_or_none(value.get("description"))}


_STOP_REASON = frozenset(("systemName", "description"))


def _user_data(value) -> dict:
    if type(value) is not dict or not user_data_ok(value):
        raise _NOT_PLAIN
    return value


# data key → its check (the value loaded, or _NotPlain), as InteractionFixture declares them.
_INTERACTION = {
    "id": _id,
    "externalId": _name_or_none,
    "parentInteractionId": _string_or_none,
    "openMediaService": _string,
    "state": _state,
    "receivedAt": _time_or_none,
    "submittedAt": _time_or_none,
    "stoppedAt": _time_or_none,
    "stopReason": _stop_reason_or_none,
    "userData": _user_data,
    "stoppedBy": _stopper_or_none,
    "agent": _name_or_none,
    "mediaType": _string,
    "interactionType": _string,
    "interactionSubtype": _string,
    "selfUri": _string,
}
# As ServiceFixture and ApiKeyFixture declare them; a lifecycle is left to the schemas.
_SERVICE = {"name": ("name", _name), "mediaType": ("media_type", _string),
            "interactionType": ("interaction_type", _string), "interactionSubtype": ("interaction_subtype", _string)}
_API_KEY = frozenset(("key", "enabled", "expiresAt", "services"))


def _service(item) -> Service:
    if type(item) is str:
        item = {"name": item}
    elif type(item) is not dict:
        raise _NOT_PLAIN
    if "name" not in item or not _SERVICE.keys() >= item.keys():
        raise _NOT_PLAIN
    return Service(**{_SERVICE[key][0]: _SERVICE[key][1](value) for key, value in item.items()})


def _api_key(item) -> ApiKey:
    if type(item) is str:
        item = {"key": item}
    elif type(item) is not dict:
        raise _NOT_PLAIN
    key, enabled, services = item.get("key"), item.get("enabled", True), item.get("services")
    if not _API_KEY.issuperset(item) or type(key) is not str or not key or key_problem(key) is not None \
            or type(enabled) is not bool:
        raise _NOT_PLAIN
    if services is not None:
        services = tuple(_string(name) for name in _list(services))
    return ApiKey(key=key, enabled=enabled, expires_at=_time_or_none(item.get("expiresAt")), services=services)
