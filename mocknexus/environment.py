"""MOCKNEXUS_* variables for every flag of an argparse parser (§8): help text, precedence, one-line errors.

Generic over the parser's actions, so a flag added to `serve` gets its variable and its help line with no
code here: `--admin-token` is MOCKNEXUS_ADMIN_TOKEN, a switch takes 1/0, true/false, yes/no, on/off, a
repeatable flag takes a list. A flag beats its variable (a repeatable one replaces the variable's list), a
variable beats the default. An empty variable counts as unset (ours: compose files write `NAME=` for that)."""

import argparse
import contextlib

PREFIX = "MOCKNEXUS_"
SWITCH_VALUES = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
                 "off": False}
LIST_SEPARATORS = {"MOCKNEXUS_FIXTURES": ":"}  # paths hold commas; every other list is comma-separated


class VariableError(Exception):
    """A variable with a value its flag does not take; the message names the variable."""


def variable(action: argparse.Action) -> str:
    """MOCKNEXUS_ + the flag's long name in capitals, `-` as `_`."""
    return PREFIX + max(action.option_strings, key=len).lstrip("-").upper().replace("-", "_")


def flags(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The parser's options that a variable can set (not --help, not positionals)."""
    return [a for a in parser._actions if a.option_strings and not isinstance(a, argparse._HelpAction)]


def _is_switch(action) -> bool:
    return isinstance(action, argparse._StoreConstAction) and action.const is True  # store_true


def _is_list(action) -> bool:
    return isinstance(action, argparse._AppendAction)


def document(parser: argparse.ArgumentParser) -> None:
    """Append each flag's default and variable to its help, once every flag is added."""
    for action in flags(parser):
        default = action.default
        shown = "off" if _is_switch(action) else ("none" if default in (None, []) else default)
        kind = f" (a list separated by '{LIST_SEPARATORS.get(variable(action), ',')}')" if _is_list(action) else ""
        extra = f"default: {shown}; env {variable(action)}{kind}".replace("%", "%%")
        action.help = f"{action.help}; {extra}" if action.help else extra


@contextlib.contextmanager
def defaults_suppressed(subparser: argparse.ArgumentParser):
    """While parsing in this block, argparse sets only the flags argv gives: so `--port 8080` beats
    MOCKNEXUS_PORT=9000 although it equals the default. `apply` then fills in the rest."""
    actions = flags(subparser)
    defaults = [a.default for a in actions]
    for action in actions:
        action.default = argparse.SUPPRESS
    try:
        yield
    finally:
        for action, default in zip(actions, defaults, strict=True):
            action.default = default


def apply(args: argparse.Namespace, subparser: argparse.ArgumentParser, environ) -> argparse.Namespace:
    """Each flag argv did not give: its variable's value, else its default (raises VariableError)."""
    for action in flags(subparser):
        if not hasattr(args, action.dest):
            text = environ.get(variable(action), "")
            setattr(args, action.dest, _value(action, text) if text else action.default)
    return args


def unknown(subparser: argparse.ArgumentParser, environ) -> list[str]:
    """MOCKNEXUS_* variables that name no flag of `subparser`, sorted."""
    known = {variable(a) for a in flags(subparser)}
    return sorted(name for name in environ if name.startswith(PREFIX) and name not in known)


def _value(action, text: str):
    name = variable(action)
    if _is_switch(action):
        if text.strip().lower() not in SWITCH_VALUES:
            raise VariableError(f"{name}: '{text}' is not a switch value; use 1/0, true/false, yes/no or on/off")
        return SWITCH_VALUES[text.strip().lower()]
    if _is_list(action):
        items = [item for item in text.split(LIST_SEPARATORS.get(name, ",")) if item.strip()]
        return [_converted(action, name, item.strip()) for item in items]
    return _converted(action, name, text)


def _converted(action, name: str, text: str):
    """What argparse makes of `text` for this flag: its type, then its choices."""
    try:
        value = action.type(text) if action.type else text
    except argparse.ArgumentTypeError as exc:
        raise VariableError(f"{name}: {exc}") from None
    except (TypeError, ValueError):
        what = getattr(action.type, "__name__", "a")
        raise VariableError(f"{name}: invalid {what} value: '{text}'") from None
    if action.choices is not None and value not in action.choices:
        raise VariableError(f"{name}: invalid choice: '{text}' (choose from {', '.join(map(str, action.choices))})")
    return value
