"""Fault rules and the registry that matches them against vendor requests."""

import threading


class FaultRegistry:
    """The fault rules of one world. `match` is one truth test when there are no rules."""

    def __init__(self):
        self._lock = threading.Lock()
        self.rules: list = []

    def match(self, request_info: dict):
        if not self.rules:
            return None
        return None

    def clear(self) -> None:
        with self._lock:
            self.rules = []
