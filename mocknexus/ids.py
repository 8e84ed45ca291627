"""Interaction id factories: uuid4 or Genesys style, random or a seeded, repeatable sequence."""

import os
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
            return random_uuid4()
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))


def random_uuid4() -> str:
    """str(uuid.uuid4()) in a third of the time (one per create): the same 16 random bytes with the
    version (4) and variant (10xx) bits set as RFC 9562 says, formatted without building a UUID object."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"
