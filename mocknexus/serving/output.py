"""Output never stalls serving (§9): stdout and stderr through Outlets, which never block whoever writes.

A test harness often starts `mocknexus serve` with stdout piped, reads the listening line and never reads
again: once the pipe's buffer (64 KiB) is full, a write blocks until someone reads, and a closed pipe makes
it fail. A request thread writing a traceback, waitress logging a warning, or the access log's thread would
then block, or die, mid-request. So `mocknexus serve` writes to its file descriptors only from one thread
per stream (an Outlet's): a write queues the text (at most `limit` characters waiting; past that, lines are
dropped and counted) and returns at once. Lines the stream cannot take (a full pipe, a closed one) are
dropped and counted too; the count is said once at exit, on stderr if it can take it.
"""

import os
import sys
import threading
import time


class Outlet:
    """A text stream onto a file descriptor whose write() never blocks: a thread of its own writes."""

    encoding, errors = "utf-8", "backslashreplace"

    def __init__(self, fd: int, limit: int = 1 << 20):
        self.fd, self.limit = fd, limit
        self.dropped = 0  # lines: over the limit, unwritable, or still waiting at close
        self._pending: list[str] = []
        self._size = 0  # characters in _pending
        self._writing = 0  # lines in the batch being written now
        self._broken = False
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"mocknexus-fd{fd}", daemon=True)
        self._thread.start()

    def write(self, text: str) -> int:
        with self._changed:
            if self._broken or self._size + len(text) > self.limit:
                self.dropped += _lines(text)
            else:
                self._pending.append(text)
                self._size += len(text)
                self._changed.notify()
        return len(text)

    def flush(self) -> None:
        """Nothing to do: the thread writes as soon as the stream takes it."""

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        try:
            return os.isatty(self.fd)
        except OSError:
            return False

    def close(self, timeout: float) -> int:
        """Wait up to `timeout` seconds for what is queued to be written; the number of lines dropped."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while (self._pending or self._writing) and not self._broken and time.monotonic() < deadline:
                self._changed.wait(0.01)
            return self.dropped + self._writing + sum(map(_lines, self._pending))

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._pending:
                    self._changed.wait()
                text, self._pending, self._size = "".join(self._pending), [], 0
                self._writing = _lines(text)
            written = write_fully(self.fd, text.encode(self.encoding, self.errors))
            with self._changed:
                if not written:  # a closed pipe, a closed descriptor: nothing will ever be written
                    self._broken = True
                    self.dropped += self._writing + sum(map(_lines, self._pending))
                    self._pending, self._size = [], 0
                self._writing = 0
                self._changed.notify_all()


def write_fully(fd: int, data: bytes) -> bool:
    """All of `data` onto `fd` (blocking, in the Outlet's thread only); False when the stream is gone."""
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view):]
        except InterruptedError:
            continue
        except OSError:  # EPIPE, EBADF, EIO...: no reader, no file
            return False
    return True


def _lines(text: str) -> int:
    return text.count("\n") or 1


class Streams:
    """`mocknexus serve`'s stdout and stderr as Outlets, while it serves (sys.stderr too, so that
    tracebacks and waitress's logging go through one). A stream that is no file descriptor (a test's
    capture) is used as it is; a closed one (None) drops everything."""

    def __init__(self):
        self._saved = sys.stderr
        self.stdout = _outlet(sys.stdout)
        self.stderr = _outlet(sys.stderr)
        sys.stderr = self.stderr

    def close(self, timeout: float = 0.3) -> None:
        """Drain both for up to `timeout` in all (stdout a third of it), say once on stderr how many lines
        were dropped, restore sys.stderr. Within the second SIGTERM has (§4): a full pipe is not waited for."""
        deadline = time.monotonic() + timeout
        dropped = {"stdout": _close(self.stdout, timeout / 3)}
        dropped["stderr"] = _close(self.stderr, deadline - time.monotonic())
        lost = [f"{n} line(s) of {name}" for name, n in dropped.items() if n]
        if lost:
            self.stderr.write(f"mocknexus: {' and '.join(lost)} could not be written (a full or closed pipe) "
                              "and were dropped\n")
            _close(self.stderr, deadline - time.monotonic())
        sys.stderr = self._saved


def _close(stream, timeout: float) -> int:
    return stream.close(max(timeout, 0.0)) if isinstance(stream, Outlet) else 0


def _outlet(stream):
    if stream is None:
        return _Nowhere()
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return stream
    try:
        stream.flush()  # anything written before, first
    except OSError:
        pass
    return Outlet(fd)


class _Nowhere:
    """A stream that was closed before the server started: everything written is dropped."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass
