"""Progress while probing: a bar that redraws itself on a terminal, plain lines in CI.

Progress goes to stderr, so a report printed to stdout stays clean for a pipe. A line is
written after a request is answered, never before: a run that cannot reach its target
prints only the one line that says so.
"""

from __future__ import annotations

import sys
from typing import TextIO

__all__ = ["Progress"]

_WIDTH = 24


class Progress:
    """Reports each answered request: ``update(done, total, label)``.

    ``tty`` defaults to whether the stream is a terminal; ``enabled=False`` silences it.
    ``total`` is an estimate (discovery adds probes as it finds resources).
    """

    def __init__(
        self, stream: TextIO | None = None, *, tty: bool | None = None, enabled: bool = True
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.enabled = enabled
        self._drawn = False

    def update(self, done: int, total: int, label: str) -> None:
        """Show that ``done`` of about ``total`` requests are answered; ``label`` names the
        last one (a method, a path without its query, and the status)."""
        if not self.enabled:
            return
        total = max(total, done, 1)
        if self.tty:
            filled = round(_WIDTH * done / total)
            bar = "#" * filled + "-" * (_WIDTH - filled)
            line = f"\r[{bar}] {done}/{total} {label}"[:120]
            self.stream.write(line.ljust(100))
            self._drawn = True
        else:
            self.stream.write(f"statuskit drift: {done}/{total} {label}\n")
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line, so what follows starts on a fresh one."""
        if self.enabled and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
