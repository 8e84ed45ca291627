"""marshmallow at the edges: vendor request bodies and the interaction out, admin bodies and queries, fault rules,
fixture documents, and the fixture reader (files → validated FixtureSet).

May import `core`, `state` and marshmallow. Never Flask, werkzeug or waitress: the reader serves `mocknexus check`
and start-up without an app."""
