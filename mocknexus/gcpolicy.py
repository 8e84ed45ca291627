"""The garbage-collector policy of a `mocknexus serve` process: no pauses that grow with the stored data.

CPython's full collection walks every tracked object; with 200,000 stored interactions that is ~450,000
objects and 0.1-0.8 s during which no request is answered (the create tails of plain Flask apps). Stored
interactions, journal records and fixtures are acyclic and freed by reference counting, so the collector
has nothing to find among them. install() moves what exists once the fixtures are loaded into the
permanent generation (gc.freeze), and again after every full collection, so each full collection only
walks what was allocated since the previous one: a few milliseconds, whatever the store holds.

The price: a reference cycle that had already survived a full collection and dies later is never
collected. Nothing the server keeps forms such cycles (a request's short-lived cycles die young), so this
is a process-level choice for the server we own; it is not installed by MockNexus inside a test process.
"""

import gc


def _freeze_after_full_collection(phase: str, info: dict) -> None:
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


def install() -> None:
    """Collect once, freeze the start-up heap, and keep freezing what survives each full collection."""
    gc.collect()
    gc.freeze()
    if _freeze_after_full_collection not in gc.callbacks:
        gc.callbacks.append(_freeze_after_full_collection)


def uninstall() -> None:
    """Back to CPython's defaults (tests, embedders)."""
    if _freeze_after_full_collection in gc.callbacks:
        gc.callbacks.remove(_freeze_after_full_collection)
    gc.unfreeze()
