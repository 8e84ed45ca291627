"""Admin routes for the world's state (§2.1): health, reset, interactions, the whole state, settings."""

from dataclasses import replace

from flask import current_app, g, request

from mocknexus import __version__
from mocknexus.core.errors import BadRequest
from mocknexus.state.fixtureset import FixtureError, FixtureSet, build_interactions, build_set
from mocknexus.web.admin import bp, token_given
from mocknexus.web.http import json_response, read_json


@bp.get("/health")
def health():
    """Liveness, version and the number of live interactions in this namespace."""
    return json_response({"status": "ok", "version": __version__, "interactions": g.world.store.live_count()})


@bp.before_app_request
def _health_without_token():
    """The readiness probe (§2.1) answers without the admin token, with status and version only. It answers
    here, before the app picks the request's world, so a tokenless probe makes no namespace and leaves
    the least recently used order alone (§9)."""
    if request.endpoint == "admin.health" and not token_given():
        return json_response({"status": "ok", "version": __version__})


@bp.post("/reset")
def reset():
    """Back to the loaded fixtures: interactions, faults, journal, clock, settings, ids, lifecycles."""
    g.world.reset()
    return json_response({"status": "ok"})


@bp.get("/interactions")
def list_interactions():
    """Every interaction, stopped ones included, in creation order; ?service= and ?state= filter."""
    from mocknexus.schemas.admin import interactions_query  # lazy: `serve` starts without marshmallow

    query = interactions_query.load(request.args.to_dict())
    found = [i for i in g.world.store.all()
             if query.get("service", i.service.name) == i.service.name and query.get("state", i.state) == i.state]
    return _interactions(found)


@bp.post("/interactions")
def seed_interactions():
    """Seed interactions in the fixture format; all or nothing (400 with details, and nothing added)."""
    from mocknexus.schemas.fixtures import seed_document  # lazy: `serve` starts without marshmallow

    docs = seed_document.load(read_json(required=True))["interactions"]
    world = g.world
    _give_ids(docs)
    try:
        built = build_interactions(docs, world.services, world.clock.now(), existing=world.store.all())
    except FixtureError as exc:
        raise _bad_fixtures(exc, "no interaction was seeded") from None
    world.store.load(built)
    return _interactions(built)


@bp.get("/state")
def get_state():
    """The whole state as one fixture document (§3): PUT and `serve --fixtures` accept it as it is."""
    world = g.world
    services = {name: replace(s, lifecycle=world.lifecycles.get(name, ())) for name, s in world.services.items()}
    current = FixtureSet(services, world.api_keys, (), tuple(world.webhooks.hooks.values()))
    return json_response(current.to_json(world.store.all(), world.prefix))


@bp.put("/state")
def put_state():
    """Replace services, API keys, interactions and webhooks with a fixture document; 400 and no change when bad.
    The journal, clock, settings and faults stay; keys given with --api-key stay too."""
    from mocknexus.schemas.fixtures import fixture_document  # lazy: `serve` starts without marshmallow

    doc = fixture_document.load(read_json(required=True, what="a fixture document (a JSON object)"))
    _give_ids(doc["interactions"])
    try:
        fixtures = build_set([("", doc)], g.world.clock.now())
    except FixtureError as exc:
        raise _bad_fixtures(exc, "the state was not changed") from None
    g.world.replace(fixtures.with_api_keys(current_app.extensions["mocknexus.config"].api_keys))
    return get_state()


@bp.get("/settings")
def get_settings():
    """The world's settings: strict, retainStopped, idStyle, maxBody."""
    return json_response(g.world.settings.to_json())


@bp.patch("/settings")
def patch_settings():
    """Change some settings at run time (reset restores the start values); 400 and no change when bad."""
    from mocknexus.schemas.admin import settings_patch  # lazy: `serve` starts without marshmallow

    changes = settings_patch.load(read_json(required=True))
    settings = g.world.settings
    for name, value in changes.items():
        setattr(settings, name, value)
    return json_response(settings.to_json())


def _interactions(interactions):
    prefix = g.world.prefix
    return json_response({"interactions": [i.admin_json(prefix) for i in interactions]})


def _give_ids(docs: list) -> None:
    """Interactions without an id take the world's next one: its id style, and repeatable with --seed."""
    world = g.world
    for doc in docs:
        if not doc.get("id"):
            doc["id"] = world.ids.new(world.settings.id_style)


def _bad_fixtures(exc: FixtureError, outcome: str) -> BadRequest:
    details = {}
    for _, path, what in exc.items:
        details.setdefault(path.removeprefix("$.").removeprefix("$") or "body", []).append(what)
    return BadRequest(f"Invalid fixture data: {outcome}", details)
