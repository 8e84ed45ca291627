"""Held answers: a response that first waits for a Hold (core/hold.py), then answers with what is due then.

A view that must wait returns `later(...)` or `until(...)` instead of sleeping. The answer is a WSGI app:
called, it asks to be parked through the environ's `PARK` (the serving layer puts it there, and keeps no
thread while the request is held: serving/parking.py), or, with no `PARK` (the Flask test client), waits
in place; its body, iterated once the hold is over, is the answer of `then(met)`, computed then.
`then` runs outside the Flask request context: it gets what it needs through its closure. One hold per
request. A wait on another source of changes (webhook deliveries) takes a few lines: give the source a
Bell rung after each change and a `ready()` condition, and return `until(ready, bell, seconds, then)`."""

import time

from flask import Response

from mocknexus.core.hold import Hold
from mocknexus.web.http import render_error

PARK = "mocknexus.park"  # environ key: the serving layer's `park(hold)`, when there is one
SLEEP = "mocknexus.sleep"  # app.extensions key: the seam that lets tests replace time.sleep (plain delays)


def later(app, seconds: float, then, *args):
    """then(*args) after `seconds` (a fault's delay); at once, with no hold, when seconds <= 0."""
    if seconds <= 0:
        return then(*args)
    return HeldResponse(Hold(seconds), lambda met: then(*args), app.extensions.get(SLEEP, time.sleep))


def until(ready, bell, seconds: float, then):
    """then(met): as soon as ready() is true (checked again when `bell` rings), or after `seconds` with
    met=False. At once when it is already true."""
    if ready():
        return then(True)
    return HeldResponse(Hold(seconds, ready, bell), then)


class HeldResponse(Response):
    """The placeholder a held request answers with. Flask's after-request hooks see it; what they must do
    to the real answer (trace id, access log) they add to `finish`, applied to the answer when it is due."""

    def __init__(self, hold: Hold, then, sleep=time.sleep):
        super().__init__()
        self.hold, self.then, self.sleep = hold, then, sleep
        self.finish: list = []

    def __call__(self, environ, start_response):
        park = environ.get(PARK)
        if park is None:
            self.hold.wait(self.sleep)
        else:
            park(self.hold)  # the server parks the request once this call returns, before it reads the body
        return self._answer(environ, start_response)

    def _answer(self, environ, start_response):
        """The body: the real answer, worked out when iterated (the hold is over by then)."""
        try:
            answer = self.then(self.hold.met)
            for step in self.finish:
                answer = step(answer)
        except Exception as error:  # noqa: BLE001 - the closures render their own errors; a last resort
            answer = render_error(error, environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), [])
        chunks = answer(environ, start_response)
        try:
            yield from chunks
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
