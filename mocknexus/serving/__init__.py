"""waitress: MockNexus (the server in a thread), the channel and task hooks (network faults, one-write answers),
the access log and the GC policy of a serving process.

May import every layer below (`core`, `state`, `schemas`, `web`) and waitress; the only layer that touches
waitress, besides the command line."""
