"""The v2 bearer tokens: compact HS256 JWTs (RFC 7519) with an ``exp`` claim.

Written out rather than taken from a JWT library: the mock needs only HS256 with one
claim checked, and this keeps the kit free of another dependency. Verification is strict:
the header must name HS256, the signature is compared in constant time, and ``exp`` must
be a number in the future.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from typing import Any

__all__ = ["TokenSigner"]

_HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    # Raises binascii.Error or ValueError on anything that is not unpadded base64url.
    if not text.isascii() or "=" in text:
        raise ValueError("not unpadded base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json(segment: str) -> Any:
    return json.loads(_unb64(segment))


class TokenSigner:
    """Issues and verifies HS256 JWTs with one key. Its repr never shows the key."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        self._key = key

    def __repr__(self) -> str:
        return "TokenSigner(key='***')"

    def _sign(self, signing_input: str) -> str:
        return _b64(hmac.new(self._key, signing_input.encode("ascii"), hashlib.sha256).digest())

    def issue(self, subject: str, *, now: float, ttl: float) -> str:
        """A token for ``subject`` that expires ``ttl`` seconds after ``now``."""
        claims = {
            "sub": subject,
            "iat": int(now),
            "exp": int(now + ttl),
            "jti": secrets.token_hex(8),
        }
        signing_input = ".".join(
            _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (_HEADER, claims)
        )
        return f"{signing_input}.{self._sign(signing_input)}"

    def verify(self, token: str, *, now: float) -> bool:
        """Whether ``token`` is well formed, signed with this key, and not expired."""
        parts = token.split(".")
        if len(parts) != 3 or not token.isascii():
            return False
        header, payload, signature = parts
        expected = self._sign(f"{header}.{payload}")
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            return False
        try:
            head, claims = _json(header), _json(payload)
        except (binascii.Error, ValueError):
            return False
        if not isinstance(head, dict) or head.get("alg") != "HS256":
            return False
        exp = claims.get("exp") if isinstance(claims, dict) else None
        if isinstance(exp, bool) or not isinstance(exp, int | float):
            return False
        return now < exp
