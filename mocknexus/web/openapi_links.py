"""The document's headers and links: what every answer carries, and how an answer leads to the next call."""

TRACE_HEADER = {"X-B3-TraceId": {"schema": {"type": "string"}, "description": "The request's trace id, or a new one."}}
VENDOR_HEADERS = {
    **TRACE_HEADER,
    "X-Mocknexus-Warning": {"schema": {"type": "string"},
                            "description": "One per unknown body field that was ignored (§1.6)."},
    "X-Mocknexus-Fault": {"schema": {"type": "string"},
                          "description": "The id of the fault rule that made this answer (§2.4)."},
}
HINT_HEADER = {"X-Mocknexus-Hint": {"schema": {"type": "string"}, "description": (
    "What the caller probably meant (§10): the externalId live in another service, the interaction stopped "
    "and when, or the service name nearest to the one given. Absent when nothing near exists.")}}
TRACE_PARAM = {"in": "header", "name": "X-B3-TraceId", "required": False, "schema": {"type": "string"},
               "description": "Echoed back; generated when absent."}
FAULT_PARAM = {"in": "header", "name": "X-Mocknexus-Fault", "required": False, "schema": {"type": "string"},
               "example": "503", "description": "Fault this request (the server runs with --allow-header-faults): "
                                               "a status, delay=MS, reset, truncate or garbage (§2.4)."}
FAULTED = ("Any status a fault rule asks for (§2.4), with the X-Mocknexus-Fault header; the body is the error "
           "envelope unless the rule gives its own.")

_ID = "$response.body#/data/id"
_SERVICE = "$request.path.openMediaService"
_BY_ID = {"getInteraction": "Read it", "updateInteraction": "Change its userData", "stopInteraction": "Stop it"}
# From an answer holding a live interaction to the calls on it by id (a stop's answer is a stopped one).
_FOLLOW = {"createInteraction": _BY_ID, "getInteraction": _BY_ID, "updateInteraction": _BY_ID,
           "getInteractionByExternalId": _BY_ID, "updateInteractionByExternalId": _BY_ID}


def links(op_id: str) -> dict:
    """OpenAPI links of an operation's 200, so that a stateful client (schemathesis) calls what it made."""
    return {f"{target[0].upper()}{target[1:]}": {
        "operationId": target, "description": f"{what}: the interaction this answer holds.",
        "parameters": {"openMediaService": _SERVICE, "interactionId": _ID}}
        for target, what in _FOLLOW.get(op_id, {}).items()}
