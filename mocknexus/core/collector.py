"""paused(): the cyclic garbage collector off while many acyclic objects are built (fixtures, a world's store).

Loading 200,000 fixture interactions builds millions of objects, none of them in a reference cycle; the
collector walked them again and again as they piled up (three quarters of json.loads' time) and found
nothing to free. Reference counting frees whatever they discard, paused or not."""

import gc
import threading

_lock = threading.Lock()
_depth = 0
_was_enabled = False


class paused:  # noqa: N801 (used as a context manager: `with paused():`)
    """Nestable and thread-safe: the collector runs again once the last pause ends, if it ran before."""

    def __enter__(self):
        global _depth, _was_enabled
        with _lock:
            if _depth == 0:
                _was_enabled = gc.isenabled()
                gc.disable()
            _depth += 1

    def __exit__(self, *exc):
        global _depth
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
