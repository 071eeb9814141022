"""A wrapper that keeps credentials out of reprs, logs, exceptions and reports."""

from __future__ import annotations

import hmac

__all__ = ["REDACTED", "Secret"]

REDACTED = "***"


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


class Secret:
    """A credential value that never prints itself.

    ``str()``, ``repr()`` and f-strings show ``***``; only :meth:`reveal` returns the value,
    so every place that sends a secret says so. Equality is constant-time.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | Secret) -> None:
        self._value = value.reveal() if isinstance(value, Secret) else value

    def reveal(self) -> str:
        """The real value, for sending it where it belongs."""
        return self._value

    def matches(self, candidate: str | None) -> bool:
        """Whether ``candidate`` is this secret, compared in constant time."""
        if candidate is None:
            return False
        # surrogatepass: a str from JSON or os.environ may hold lone surrogates, which plain
        # UTF-8 refuses to encode; the comparison must answer, not raise.
        return hmac.compare_digest(_bytes(self._value), _bytes(candidate))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and self.matches(other._value)

    def __hash__(self) -> int:
        return hash(("statuskit.Secret", self._value))

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"

    def __str__(self) -> str:
        return REDACTED

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        # Pickling is how settings reach server workers; the value must survive it.
        return (Secret, (self._value,))
