"""Interaction id factories: uuid4 or Genesys style, random or a seeded, repeatable sequence."""

import random
import uuid

GENESYS_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class IdFactory:
    """Makes ids in the world's `id_style`; with a seed the sequence repeats after a reset."""

    def __init__(self, seed: int | None = None):
        self._random = random.Random(seed) if seed is not None else random.SystemRandom()
        self._seeded = seed is not None

    def new(self, style: str) -> str:
        if style == "genesys":
            return "".join(self._random.choices(GENESYS_ALPHABET, k=16))
        if not self._seeded:
            return str(uuid.uuid4())
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))
