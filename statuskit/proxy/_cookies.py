"""The upstream's ``Set-Cookie`` attributes, rewritten only as far as a session needs.

The application talks to the proxy, not to the upstream: a cookie scoped to the upstream's
host, base path or TLS would never come back through the proxy. Three attributes are
rewritten (``docs/proxy.md``, Cookies); the name, the value and every other attribute
(``Expires``, ``Max-Age``, ``HttpOnly``, ``SameSite``, their order and spacing) are kept
byte for byte, and a cookie that needs none of this is passed on untouched.

* ``Path`` under the upstream's base path loses that prefix, since the proxy serves the
  upstream's ``/urest_service/v1/...`` at ``/v1/...``: ``Path=/urest_service`` becomes
  ``Path=/`` and ``Path=/urest_service/v1`` becomes ``Path=/v1``. A ``Path`` outside the
  base path is kept: no proxied path maps to it, as no request under the base path ever
  matched it upstream, and widening it to ``/`` would send the cookie where the upstream
  never asked for it. With no base path, no ``Path`` changes (Tealium's documented
  ``Path=/urest_service`` then stays as the API documents it).
* ``Domain`` is dropped: it names the upstream's host, which a client talking to the
  proxy's would refuse; the cookie becomes the proxy host's own.
* ``Secure`` is dropped when the proxy itself listens on plain HTTP, or the client would
  never send the cookie back to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["CookieRewriter"]


@dataclass(frozen=True)
class CookieRewriter:
    """Rewrites ``Set-Cookie`` values for a proxy serving ``base_path`` at its root."""

    #: The upstream's base path, without a trailing ``/`` (``""``: none).
    base_path: str = ""
    #: Whether the proxy listens on plain HTTP (``Secure`` is then dropped).
    plain_http: bool = True

    def set_cookie(self, value: str) -> str:
        """One ``Set-Cookie`` value, rewritten (the same string when nothing needs to be)."""
        first, *attributes = value.split(";")
        kept = [first]
        changed = False
        for attribute in attributes:
            name, sep, current = attribute.partition("=")
            key = name.strip().lower()
            if key == "domain" or (key == "secure" and self.plain_http):
                changed = True
                continue
            if key == "path" and sep:
                path = self.path(current.strip())
                if path != current.strip():
                    attribute = f"{name}={path}"
                    changed = True
            kept.append(attribute)
        return ";".join(kept) if changed else value

    def path(self, path: str) -> str:
        """A cookie ``Path`` as the proxy serves it (see the module's docstring)."""
        base = self.base_path
        if not base or not (path == base or path.startswith(base + "/")):
            return path
        return path[len(base) :] or "/"

    def headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """``headers`` with every ``Set-Cookie`` value rewritten, the rest as they were."""
        return [
            (name, self.set_cookie(value) if name.lower() == "set-cookie" else value)
            for name, value in headers
        ]
