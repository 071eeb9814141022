"""Secrets out of the texts ``statuskit check`` reports: a failure's first line, the target.

A contract failure's message may quote what went over the wire: a URL with ``?utk=``, a
cookie, a login's body, the configured token itself. :func:`scrubber` masks, as
``***``, every configured credential value (the ``STATUSKIT_*`` settings that
:func:`statuskit.credentials.settings` marks secret, the admin token included), every value
under a secret name (:func:`statuskit.drift.describe.secret_keys`, from the catalogues) in a
query, a cookie, a header trace or a JSON or Python mapping, and a password in a URL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping

from statuskit.secrets import REDACTED

__all__ = ["scrubber"]

#: ``scheme://user:password@host``: the password.
_USERINFO = re.compile(r"(://[^/\s:@]+:)[^/\s@]+@")


def scrubber(environ: Mapping[str, str] | None = None) -> Callable[[str], str]:
    """A function that masks every secret in a text, as the environment configures them."""
    from statuskit.client._redact import redact_text
    from statuskit.credentials import TealiumCredentials, ThalamusCredentials, settings
    from statuskit.drift.describe import Redactor, secret_keys
    from statuskit.registry import default_registry
    from statuskit.wire import secret_names

    env = os.environ if environ is None else environ
    # The kit's published defaults (the password "statuskit") protect nothing, and masking
    # them would garble every text holding the word.
    defaults = (ThalamusCredentials(), TealiumCredentials())
    public = [getattr(c, name).reveal() for c in defaults for name in c.secret_fields()]
    values = Redactor(
        (env.get(name) for name, secret in settings().items() if secret), public=public
    )
    names = "|".join(re.escape(n) for n in sorted(secret_keys(default_registry())))
    # "utk": "abc", 'utk': 'abc', utk='abc' (a JSON body, a dict's or a call's repr).
    fields = re.compile(rf"""(?i)(["']?\b(?:{names})\b["']?\s*[:=]\s*["'])[^"']*""")
    # Authorization: Bearer abc (a header as a message prints it): the rest of the line.
    headers = "|".join(re.escape(n) for n in secret_names(where="header"))
    header_lines = re.compile(rf"(?i)(\b(?:{headers}):[ \t]*)[^\s'\"][^\n'\"]*")

    def scrub(text: str) -> str:
        text = redact_text(values(text))
        text = fields.sub(rf"\g<1>{REDACTED}", text)
        text = header_lines.sub(rf"\g<1>{REDACTED}", text)
        return _USERINFO.sub(rf"\g<1>{REDACTED}@", text)

    return scrub
