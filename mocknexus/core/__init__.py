"""The ground floor: configuration, the models, errors, the virtual clock and id factories.

Standard library only. Imports nothing of mocknexus outside `core`; every other layer may import it."""
