"""A wait view's answer, for the journal's and the webhook deliveries' waits: held until enough match (web/hold.py)."""

import functools

from mocknexus.core.errors import BadRequest, WaitTimedOut
from mocknexus.web.hold import until
from mocknexus.web.http import json_response


def held_wait(source, body: dict, key: str):
    """200 with `body["count"]` records of `source` matching `body["match"]` as soon as they are there, or a 408
    with those seen at `timeoutMs`. `source` (a Journal, a Webhooks registry) has `size`, `waiter()` and `bell`;
    `key` names its records in the answer ("requests", "deliveries"). Held, not slept: a connection, no thread."""
    if body["count"] > source.size:
        raise BadRequest("Invalid request parameters provided",
                         {"count": [f"At most {source.size} {key} are kept; more can never match."]})
    waiter = source.waiter(body["match"], body["count"])
    return until(waiter.ready, source.bell, body["timeout_ms"] / 1000,
                 functools.partial(_answer, waiter, body["count"], body["timeout_ms"], key))


def _answer(waiter, count: int, timeout_ms: int, key: str, met: bool):
    if met:
        return json_response({key: waiter.found})
    error = WaitTimedOut(f"{len(waiter.found)} of {count} matching {key} arrived within {timeout_ms} ms",
                         waiter.found, key=key)
    return json_response(error.to_envelope(), error.status)
