"""mocknexus: a fake of the Genesys Multicloud CX Nexus v3 Open Media interactions API."""

__version__ = "0.1.0"

__all__ = ["MockNexus", "create_app", "AdminError", "WaitTimeout", "MockNexusServerError", "__version__"]

# name -> the module that defines it. Lazy, so `import mocknexus` (done by the pytest plugin at start-up,
# and by `mocknexus health` every few seconds in a container) stays cheap.
_LAZY = {
    "create_app": "mocknexus.web.app",
    "MockNexus": "mocknexus.serving.server",
    "AdminError": "mocknexus.client",
    "WaitTimeout": "mocknexus.client",
    "MockNexusServerError": "mocknexus.pytest_plugin",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mocknexus' has no attribute {name!r}")
