"""Client patterns (state/patterns.py): the same answers as Python's re on ordinary patterns, whichever engine
runs them (substring, re without branching, RE2), and bounded time on the ones that explode in re."""

import re
import time

import pytest

from mocknexus.state.patterns import Pattern, PatternError

PATHS = ["/nexus/v3/openmedia/crm-tasks/interactions", "/nexus/v3/openmedia/web-chat/interactions/ext_a-1/stop",
         "/nexus/v3/openmedia/crm-tasks/interactions/0d2f5c4e/update", "/__ns/x/nexus/v3/openmedia/é/interactions"]


@pytest.mark.parametrize("pattern", [
    "crm-tasks", "é", "/stop$", "^/nexus/v3/openmedia/crm-tasks/interactions$", "[0-9a-f]/update$", "(ext_a)-1",
    "^/__ns/", "ext_[a-z]-[0-9]", "web-chat|crm-tasks", r"ext_\w+-\d+/stop$", "interactions/?$", "e{2,}",
    ".*update", "^/nexus/v3/openmedia/[^/]+/interactions/[^/]+/(stop|update)$",
])
def test_every_engine_answers_as_python_re_does(pattern):
    ours = Pattern(pattern)
    for path in PATHS:
        assert bool(ours.search(path)) == bool(re.search(pattern, path, re.ASCII)), (pattern, path)


@pytest.mark.parametrize("pattern, text", [
    ("(a+)+$", "/ext_" + "a" * 40 + "!"),  # nested repetition: 2^40 steps in re
    ("(a|a)" * 40 + "b", "a" * 60),  # alternation alone: 2^40 in re, and no repetition in sight
    ("(a|aa)+$", "a" * 60 + "!"),
    ("(x+x+)+y", "x" * 5000),
])
def test_patterns_that_explode_in_re_answer_in_milliseconds(pattern, text):
    ours = Pattern(pattern)
    start = time.perf_counter()
    assert not ours.search(text)
    assert time.perf_counter() - start < 0.5


def test_what_re2_cannot_do_in_linear_time_is_refused():
    for pattern in (r"(a)\1", "(?=a)", "(?<=a)b", "(?!a)", "a{1001}", "(?:a{0,30}b?){0,15}c", "x" * 1001):
        with pytest.raises(PatternError):
            Pattern(pattern)
