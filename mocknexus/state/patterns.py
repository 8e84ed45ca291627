"""Regular expressions from clients (journal `path`, wait and fault `match.path`): matched by RE2, in linear time."""

import functools
import re

MAX_LENGTH = 1000  # characters of a pattern
# RE2 instructions of a compiled pattern. Linear is not yet fast: the time per character grows with the
# program, and past ~700 instructions RE2's DFA gives way to its NFA (seconds for a 256 KB path, the most a
# request line holds). At 500 the worst we found takes ~40 ms there, with the GIL released.
MAX_PROGRAM = 500
_METACHARACTERS = frozenset(".^$*+?{}[]\\|()")
_BRANCHING = frozenset("*+?{|")  # repetition and alternation: what a backtracking engine can explode on


@functools.cache
def _re2():
    """RE2 and our options, on the first pattern with a metacharacter: `serve` starts without importing it."""
    import re2

    options = re2.Options()
    options.never_capture = True  # only "does it match" is asked: no groups to track
    options.log_errors = False  # a bad pattern is the client's 400, not a line on the server's stderr
    options.max_mem = 1 << 20  # per pattern (RE2's default is 8 MiB); a pattern needing more is refused
    return re2, options


class PatternError(ValueError):
    """Not a pattern we match: its message says why, for a 400."""


class Pattern:
    """A compiled client pattern: `search(text)` is true when it matches anywhere in `text`.

    RE2 (google-re2, Google's own binding) guarantees time linear in the text and refuses, rather than
    runs slowly, what it cannot do that way (backreferences, look-around). A pattern with no metacharacter,
    the usual one ("crm-tasks"), is a substring test; one that cannot branch ("/stop$") goes to Python's re."""

    __slots__ = ("pattern", "search")

    def __init__(self, pattern: str):
        if len(pattern) > MAX_LENGTH:
            raise PatternError(f"A pattern may have at most {MAX_LENGTH} characters, not {len(pattern)}.")
        self.pattern = pattern
        if _METACHARACTERS.isdisjoint(pattern):
            self.search = lambda text: pattern in text
            return
        re2, options = _re2()
        try:
            compiled = re2.compile(pattern.encode("utf-8", "surrogatepass"), options)
        except re2.error as exc:
            reason = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc
            raise PatternError(f"Not a regular expression RE2 can match in linear time: {reason}.") from None
        if compiled.programsize > MAX_PROGRAM:
            raise PatternError(f"The pattern is too complex: {compiled.programsize} RE2 instructions, "
                               f"at most {MAX_PROGRAM} (large repetition counts multiply).")
        if _BRANCHING.isdisjoint(pattern):
            # With neither repetition nor alternation there is nothing to backtrack into: Python's re takes
            # O(pattern x text) at a tenth of RE2's cost per call (a rule's path is tried on every vendor
            # request). ASCII classes, as RE2 has them; RE2 has checked the syntax.
            self.search = re.compile(pattern, re.ASCII).search
            return
        # bytes in: the str path of the binding maps every match offset back to characters, twice the cost
        self.search = lambda text: compiled.search(text.encode("utf-8", "surrogatepass")) is not None

    def __repr__(self) -> str:
        return f"Pattern({self.pattern!r})"
