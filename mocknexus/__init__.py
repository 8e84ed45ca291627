"""mocknexus: a fake of the Genesys Multicloud CX Nexus v3 Open Media interactions API."""

__version__ = "0.1.0"

__all__ = ["MockNexus", "create_app", "__version__"]


def __getattr__(name):
    # Lazy, so `import mocknexus` (done by the pytest plugin at start-up) stays cheap.
    if name == "create_app":
        from mocknexus.web.app import create_app

        return create_app
    if name == "MockNexus":
        from mocknexus.serving.server import MockNexus

        return MockNexus
    raise AttributeError(f"module 'mocknexus' has no attribute {name!r}")
