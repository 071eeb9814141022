"""What the journal records of one answer: its content type, its length and its body as
text, at most :data:`LONGEST_BODY` characters, with every secret scrubbed.

Two rules scrub a body, as the request side is scrubbed (``mockserver._request_record``):

* every known secret value (the configured credentials, and those the request itself
  carried or the answer set as a cookie) is replaced by ``***`` wherever it appears;
* in JSON, the value of every field named by a secret name (``statuskit.wire``'s list and
  the request side's: a login's ``utk``, a v2 ``token``) becomes ``"***"``.

The second costs a JSON parse, so it is done only when the text holds a secret name in
quotes; most answers (a status, a file) hold none and are only searched.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from mockserver._request_record import SECRET_PARAMETERS
from statuskit.registry import default_registry
from statuskit.secrets import REDACTED
from statuskit.wire import secret_names

__all__ = ["LONGEST_BODY", "NO_ANSWER", "answer_facts", "response_record"]

#: The most characters of a body the journal keeps: the schema's bound.
LONGEST_BODY: int = default_registry().definition("admin", "responseBody", schema="journal")[
    "maxLength"
]
#: The ``response`` of an entry whose request was never answered (a ``reset`` fault).
NO_ANSWER: dict[str, Any] = {"type": None, "bytes": None, "body": None, "truncated": False}
#: JSON fields whose values are secret, lower-cased: every secret name of the APIs (their
#: credentials' carriers and the schemas' ``x-secret`` fields) and every parameter name the
#: request side keeps out (the credentials' secret fields, the stray names).
SECRET_FIELDS = frozenset({name.lower() for name in secret_names()} | SECRET_PARAMETERS)
_NAMES = "|".join(re.escape(name) for name in sorted(SECRET_FIELDS, key=len, reverse=True))
#: A secret name as a JSON key, in any case: the cheap test before any parse.
_KEY = re.compile(f'"(?:{_NAMES})"', re.IGNORECASE)
#: ``"name": value`` for text that is not whole JSON (cut, or not JSON at all): a string,
#: even one cut before its closing quote, or a bare scalar.
_FIELD = re.compile(
    f'("(?:{_NAMES})"\\s*:\\s*)(?:"(?:[^"\\\\]|\\\\.)*(?:"|$)|[^\\s,}}\\]]+)',
    re.IGNORECASE,
)
_TEXT_SUBTYPES = ("json", "xml", "javascript", "x-www-form-urlencoded")


def answer_facts(
    headers: Iterable[tuple[str, str]],
) -> tuple[str | None, str | None, str | None, tuple[str, ...]]:
    """The answer's ``Content-Type``, ``Content-Encoding`` and ``Content-Length`` headers,
    and the values of the cookies it sets (a body echoing one is scrubbed of it)."""
    kind = encoding = length = None
    cookies: tuple[str, ...] = ()
    for name, value in headers:
        lowered = name.lower()
        if lowered == "content-type":
            kind = value
        elif lowered == "content-length":
            length = value
        elif lowered == "content-encoding":
            encoding = value
        elif lowered == "set-cookie":
            cookie = value.partition(";")[0].partition("=")[2].strip().strip('"')
            if cookie:
                cookies = (*cookies, cookie)
    return kind, encoding, length, cookies


def _charset(kind: str | None) -> str | None:
    """The codec of a textual content type (UTF-8 unless it names another); ``None`` for
    one that is not text (an image, a zip)."""
    if kind is None:
        return "utf-8"
    media, _, parameters = kind.partition(";")
    main, _, sub = media.strip().lower().partition("/")
    if main != "text" and not any(s in sub for s in _TEXT_SUBTYPES):
        return None
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            try:
                return codecs.lookup(value.strip().strip('"')).name
            except LookupError:
                break
    return "utf-8"


def _decoded(kind: str | None, body: bytes, whole: bool) -> str | None:
    """``body`` as text; a cut one without the character the cut split."""
    codec = _charset(kind)
    if codec is None:
        return None
    for errors in ("strict", "replace"):
        try:
            return codecs.getincrementaldecoder(codec)(errors).decode(body, final=whole)
        except UnicodeDecodeError:
            # Undeclared bytes that are not UTF-8 are taken for binary; declared text is
            # shown with its bad bytes replaced.
            if kind is None:
                return None
    return None


def _masked(value: Any) -> tuple[Any, bool]:
    """``value`` with every field under a secret name set to ``"***"``; whether any was."""
    if isinstance(value, dict):
        changed = False
        out = {}
        for key, item in value.items():
            if str(key).lower() in SECRET_FIELDS:
                out[key], changed = REDACTED, True
            else:
                out[key], inner = _masked(item)
                changed = changed or inner
        return out, changed
    if isinstance(value, list):
        items = [_masked(item) for item in value]
        return [item for item, _ in items], any(changed for _, changed in items)
    return value, False


def _fields_masked(text: str, whole: bool) -> str:
    """``text`` with the values of secret fields masked: parsed when it is a whole JSON
    document, else by pattern (a cut body, a body that is not JSON)."""
    if whole:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            pass
        else:
            masked, changed = _masked(data)
            if not changed:
                return text
            return json.dumps(masked, ensure_ascii=False, separators=(",", ":"))
    return _FIELD.sub(lambda m: f'{m.group(1)}"{REDACTED}"', text)


def _scrubbed(text: str, secrets: Sequence[str], whole: bool, fields: bool) -> str:
    # A JSON key may be written with escapes (\u0075tk): parsed whenever one could hide.
    if fields and (_KEY.search(text) or (whole and "\\u" in text)):
        text = _fields_masked(text, whole)
    # Longest first, so a secret holding another is masked whole.
    for secret in sorted(secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def response_record(
    kind: str | None,
    encoding: str | None,
    body: bytes | None,
    secrets: Sequence[str],
    *,
    length: int | None = None,
    fields: bool = True,
) -> dict[str, Any]:
    """The journal's ``response``: ``{"type", "bytes", "body", "truncated"}``.

    ``body`` is the whole answer as sent, ``None`` when it was not kept (a stream, whose
    ``length`` is then its ``Content-Length`` if it had one). The text is ``None`` for an
    empty body, a compressed one or one that is not text. With ``fields`` false, fields
    named like a credential keep their values (only ``secrets`` are masked).
    """
    if body is None:
        return {"type": kind, "bytes": length, "body": None, "truncated": False}
    record: dict[str, Any] = {"type": kind, "bytes": len(body), "body": None, "truncated": False}
    if not body or (encoding and encoding.strip().lower() != "identity"):
        return record
    # Only the start is read: enough bytes for LONGEST_BODY characters of 4 bytes each,
    # and for a secret that starts before the cut to be seen whole.
    longest = max((len(s) for s in secrets), default=0)
    cap = 4 * (LONGEST_BODY + longest + 1)
    whole = len(body) <= cap
    text = _decoded(kind, body if whole else body[:cap], whole)
    if text is None:
        return record
    text = _scrubbed(text, secrets, whole, fields)
    record["truncated"] = not whole or len(text) > LONGEST_BODY
    record["body"] = text[:LONGEST_BODY]
    return record
