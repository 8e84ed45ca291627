"""The rules of the world: interactions store, journal, fault rules, worlds (namespaces), API keys, the reaper,
and the fixture set every world starts from.

May import `core` and the standard library. Never Flask, werkzeug, marshmallow or waitress: a world works, and is
tested, without HTTP."""
