"""Interaction id factories: uuid4 or Genesys style, random or a seeded, repeatable sequence."""

import random

GENESYS_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class IdFactory:
    """Makes ids in the world's `id_style`; with a seed the sequence repeats after a reset.

    Unseeded ids come from the `random` module's generator (seeded from the OS at start-up and again in a
    forked child), not from os.urandom: os.urandom gives up the GIL for its system call, and under load
    another request then ran first and this one's answer waited. Ids must be unique, not secret."""

    def __init__(self, seed: int | str | None = None):
        # The module's functions are its one shared generator's methods (choices, getrandbits).
        self._random = random.Random(seed) if seed is not None else random

    def new(self, style: str) -> str:
        if style == "genesys":
            return "".join(self._random.choices(GENESYS_ALPHABET, k=16))
        return uuid4_text(self._random.getrandbits(128))


def uuid4_text(bits: int) -> str:
    """str(uuid.UUID(int=bits, version=4)) without building a UUID object (a third of the time): the
    version (4) and variant (10xx) bits set as RFC 9562 says."""
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"
