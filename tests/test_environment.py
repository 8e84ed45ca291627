"""MOCKNEXUS_* variables (§8): every serve flag has one; precedence flag > variable > default; one-line errors."""

import argparse
import os

import pytest

from mocknexus import cli, environment
from mocknexus.cli import build_parser, main


@pytest.fixture
def started(monkeypatch):
    """main() up to the config serve() would get, without serving; no MOCKNEXUS_* of the test run leaks in."""
    for name in [n for n in os.environ if n.startswith("MOCKNEXUS_")]:
        monkeypatch.delenv(name)
    seen = {}

    def serve(config):
        seen["config"] = config
        return 0

    monkeypatch.setattr(cli, "serve", serve)
    return seen


def config_of(started, argv=(), **variables):
    mp = pytest.MonkeyPatch()
    try:
        for name, value in variables.items():
            mp.setenv(name, value)
        assert main(["serve", *argv]) == 0
    finally:
        mp.undo()
    return started.pop("config")


def test_a_value_variable_beats_the_default(started):
    config = config_of(started, MOCKNEXUS_PORT="9000", MOCKNEXUS_HOST="0.0.0.0", MOCKNEXUS_ADMIN_TOKEN="t0k",
                       MOCKNEXUS_ID_STYLE="genesys", MOCKNEXUS_SEED="7", MOCKNEXUS_MAX_BODY="100")
    assert (config.port, config.host, config.admin_token, config.seed) == (9000, "0.0.0.0", "t0k", 7)
    assert (config.settings.id_style, config.settings.max_body) == ("genesys", 100)


def test_a_flag_beats_its_variable_even_when_it_equals_the_default(started):
    config = config_of(started, ["--port", "8080", "--id-style=uuid"], MOCKNEXUS_PORT="9000",
                       MOCKNEXUS_ID_STYLE="genesys")
    assert (config.port, config.settings.id_style) == (8080, "uuid")


def test_abbreviated_flags_count_as_given(started):
    assert config_of(started, ["--por", "1234"], MOCKNEXUS_PORT="9000").port == 1234


@pytest.mark.parametrize("text, value", [("1", True), ("true", True), ("YES", True), ("on", True), ("0", False),
                                         ("false", False), ("No", False), ("off", False)])
def test_switches_take_1_0_true_false_yes_no_on_off(started, text, value):
    config = config_of(started, MOCKNEXUS_STRICT=text, MOCKNEXUS_RETAIN_STOPPED=text,
                       MOCKNEXUS_ALLOW_HEADER_FAULTS=text)
    assert (config.settings.strict, config.settings.retain_stopped, config.allow_header_faults) == (value,) * 3


def test_a_switch_flag_beats_a_variable_that_says_off(started):
    assert config_of(started, ["--strict"], MOCKNEXUS_STRICT="0").settings.strict is True


def test_lists_fixtures_by_colon_api_keys_by_comma(started):
    config = config_of(started, MOCKNEXUS_FIXTURES="a.json:dir/b:", MOCKNEXUS_API_KEY="k1, k2,")
    assert (config.fixtures, config.api_keys) == (["a.json", "dir/b"], ["k1", "k2"])


def test_a_repeatable_flag_replaces_its_variables_list(started):
    config = config_of(started, ["--api-key", "mine"], MOCKNEXUS_API_KEY="k1,k2", MOCKNEXUS_FIXTURES="x:y")
    assert (config.api_keys, config.fixtures) == (["mine"], ["x", "y"])


def test_an_empty_variable_counts_as_unset(started):
    config = config_of(started, MOCKNEXUS_PORT="", MOCKNEXUS_STRICT="", MOCKNEXUS_FIXTURES="")
    assert (config.port, config.settings.strict, config.fixtures) == (8080, False, [])


@pytest.mark.parametrize("name, value, problem", [
    ("MOCKNEXUS_PORT", "eighty", "MOCKNEXUS_PORT: invalid port number value: 'eighty'"),
    ("MOCKNEXUS_PORT", "70000", "MOCKNEXUS_PORT: must be 0-65535, not 70000"),
    ("MOCKNEXUS_THREADS", "0", "MOCKNEXUS_THREADS: must be at least 1, not 0"),
    ("MOCKNEXUS_SEED", "x", "MOCKNEXUS_SEED: invalid int value: 'x'"),
    ("MOCKNEXUS_ID_STYLE", "snowflake", "MOCKNEXUS_ID_STYLE: invalid choice: 'snowflake'"),
    ("MOCKNEXUS_STRICT", "maybe", "MOCKNEXUS_STRICT: 'maybe' is not a switch value"),
    ("MOCKNEXUS_API_KEY", ",,", None),  # only separators: an empty list, as if unset
])
def test_a_bad_value_stops_with_one_line_naming_the_variable(started, monkeypatch, capsys, name, value, problem):
    monkeypatch.setenv(name, value)
    if problem is None:
        assert main(["serve"]) == 0 and started["config"].api_keys == []
        return
    with pytest.raises(SystemExit) as caught:
        main(["serve"])
    assert caught.value.code == 2 and "config" not in started
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"mocknexus: error: {problem}") and line.endswith("(see 'mocknexus serve --help')"), line


def test_an_unknown_variable_is_ignored_with_one_warning_line(started, monkeypatch, capsys):
    monkeypatch.setenv("MOCKNEXUS_PROT", "9000")
    monkeypatch.setenv("MOCKNEXUS_ADMINTOKEN", "x")
    assert main(["serve"]) == 0 and started["config"].port == 8080
    assert capsys.readouterr().err.splitlines() == [
        "mocknexus: warning: ignored MOCKNEXUS_ADMINTOKEN, MOCKNEXUS_PROT: no serve flag of that name "
        "(see 'mocknexus serve --help')"]


def test_known_variables_give_no_warning_and_other_commands_ignore_them(started, monkeypatch, capsys):
    monkeypatch.setenv("MOCKNEXUS_PORT", "not a port")
    assert main(["check", "fixtures"]) == 0  # only serve reads them
    monkeypatch.setenv("MOCKNEXUS_PORT", "9000")
    assert main(["serve"]) == 0
    assert capsys.readouterr().err == ""


def test_serve_help_gives_each_flags_meaning_default_and_variable(capsys):
    parser = build_parser()
    serve = parser.commands["serve"]
    with pytest.raises(SystemExit) as caught:
        parser.parse_args(["serve", "--help"])
    assert caught.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for action in environment.flags(serve):
        assert action.help and not action.help.startswith("default:"), f"{action.option_strings} has no meaning"
        assert environment.variable(action) in text
    assert "--port PORT the port; 0 picks a free one; default: 8080; env MOCKNEXUS_PORT" in text
    assert "--strict an unknown body field is a 400, not a warning; default: off; env MOCKNEXUS_STRICT" in text
    assert "default: none; env MOCKNEXUS_FIXTURES (a list separated by ':')" in text


def test_a_flag_added_later_gets_its_variable_with_no_extra_code():
    """How flags added by others (--max-connections, --access-log on|off) get theirs."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-connections", type=int, default=1000, help="open connections at most")
    parser.add_argument("--access-log", choices=["on", "off"], default="on", help="one line per request")
    environment.document(parser)
    assert parser._actions[1].help == "open connections at most; default: 1000; env MOCKNEXUS_MAX_CONNECTIONS"
    with environment.defaults_suppressed(parser):
        args = parser.parse_args(["--access-log", "off"])
    environ = {"MOCKNEXUS_MAX_CONNECTIONS": "5", "MOCKNEXUS_ACCESS_LOG": "on"}
    assert vars(environment.apply(args, parser, environ)) == {"max_connections": 5, "access_log": "off"}
    with pytest.raises(environment.VariableError, match="MOCKNEXUS_ACCESS_LOG: invalid choice: 'loud'"):
        environment.apply(argparse.Namespace(), parser, {"MOCKNEXUS_ACCESS_LOG": "loud"})
