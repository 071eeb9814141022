"""``--record DIR``: the observed answers saved as fixtures, with every secret and every
identifying value replaced.

* Secrets (the schemas' ``x-secret`` keys, credential-named keys, every credential the run
  knows) become ``***``.
* Identifying values are scrambled, not dropped, so a fixture keeps its shape: letters stay
  letters, digits digits, hex stays hex, a ``.csv`` stays a ``.csv``, a URL keeps its
  scheme; ids keep their number of digits. The scramble is keyed by a random salt made
  per run, so it cannot be reversed by guessing, and the same value scrambles the same way
  throughout one recording (a file name in ``/search`` and in its own path agree).
* Kept as they are: dates, and the API's vocabulary, meaning every enum value and example
  in its schemas and the messages the docs give (states, error codes, ``EXCEL``).

Fixtures are written as ``<api>/<operation>.<probe>.<n>.<status>.json`` with a
``manifest.json`` in the format of the kit's own ``fixtures/manifest.json``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from statuskit.drift.describe import Redactor, secret_keys
from statuskit.drift.probes import Observation
from statuskit.errors import ConfigError
from statuskit.registry import SchemaRegistry
from statuskit.secrets import REDACTED

__all__ = ["Recorder", "Scrubber"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$")
_HEX = re.compile(r"^[0-9a-f]{8,}$")
_EXTENSION = re.compile(r"(\.[A-Za-z0-9]{1,5})$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_ID_KEY = re.compile(r"(^id$|Id$|Ids$|Operator$)")
_KEPT_HEADERS = ("content-type", "www-authenticate", "allow", "retry-after", "set-cookie")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _walk_schema(node: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(node, Mapping):
        yield node
        for value in node.values():
            yield from _walk_schema(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_schema(value)


class Scrubber:
    """Replaces secrets and identifying values in bodies, paths and queries."""

    def __init__(
        self,
        api: str,
        registry: SchemaRegistry,
        redactor: Redactor,
        *,
        salt: bytes | None = None,
    ) -> None:
        self.redactor = redactor
        self.salt = salt if salt is not None else os.urandom(16)
        self.vocabulary: set[str] = set()
        self.secret_keys = set(secret_keys(registry))
        # The API's own words, from its schemas: what is kept is derived, never listed.
        for name in registry.names(api):
            for node in _walk_schema(registry.source(api, name)):
                for value in [*node.get("enum", []), *node.get("examples", [])]:
                    if isinstance(value, str):
                        self.vocabulary.add(value)
                for key, sub in (node.get("properties") or {}).items():
                    if isinstance(sub, Mapping) and sub.get("x-secret"):
                        self.secret_keys.add(key.lower())
        #: Every value scrambled so far, so paths and queries follow the bodies.
        self.mapping: dict[str, str] = {}

    def keep(self, values: Iterable[Any]) -> None:
        """Keep these strings as they are (the docs' messages)."""
        self.vocabulary.update(v for v in values if isinstance(v, str))

    def _stream(self, value: str) -> bytes:
        digest = b""
        counter = 0
        while len(digest) < len(value) + 8:
            block = hmac.new(self.salt, f"{counter}:{value}".encode(), hashlib.sha256)
            digest += block.digest()
            counter += 1
        return digest

    def text(self, value: str) -> str:
        """``value`` scrambled, keeping its character classes and shape."""
        if value in self.mapping:
            return self.mapping[value]
        stream, out = self._stream(value), []
        stem, ext = value, ""
        if match := _EXTENSION.search(value):
            stem, ext = value[: match.start()], match.group(1)
        prefix = ""
        if match := _SCHEME.match(stem):
            prefix, stem = match.group(0), stem[match.end() :]
        hexadecimal = bool(_HEX.match(stem)) and not stem.isdigit()
        i = 0
        while i < len(stem):
            char, byte = stem[i], stream[i]
            if char == "%" and re.match(r"%[0-9A-Fa-f]{2}", stem[i : i + 3]):
                out.append(stem[i : i + 3])
                i += 3
                continue
            if hexadecimal:
                out.append("0123456789abcdef"[byte % 16])
            elif char.isascii() and char.isdigit():
                out.append(str(byte % 10))
            elif char.isascii() and char.isalpha():
                letter = _LETTERS[byte % 26]
                out.append(letter.upper() if char.isupper() else letter)
            elif char.isalnum():
                out.append("x")
            else:
                out.append(char)
            i += 1
        scrambled = prefix + "".join(out) + ext
        self.mapping[value] = scrambled
        return scrambled

    def integer(self, value: int) -> int:
        """An id scrambled to another of as many digits (never 0 or negative)."""
        digits = self.text(str(abs(value)))
        # A leading zero would shorten the id; 0 is no id.
        scrambled = int(("1" + digits[1:]) if digits[0] == "0" else digits)
        self.mapping[str(value)] = str(scrambled)
        return scrambled

    def body(self, value: Any, key: str = "") -> Any:
        """A parsed body with secrets masked and identifying values scrambled."""
        vocabulary = isinstance(value, str) and value in self.vocabulary
        if key.lower() in self.secret_keys and value is not None and not vocabulary:
            return REDACTED  # {"utk": ...}; but {"errors": {"token": "Required"}} is a code
        if isinstance(value, Mapping):
            return {k: self.body(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.body(v, key) for v in value]
        if isinstance(value, bool) or value is None or isinstance(value, float):
            return value
        if isinstance(value, int):
            return self.integer(value) if _ID_KEY.search(key) else value
        if isinstance(value, str):
            return self._string(value)
        return value

    def _string(self, value: str) -> str:
        if self.redactor(value) != value:
            return REDACTED
        if value in self.vocabulary or not value or _DATE.match(value):
            return value
        stripped = value.strip()
        if stripped.startswith("<") and stripped.endswith(">"):
            return "<redacted/>"  # markup (mediumContextDataJson): no tag is worth keeping
        if stripped[:1] in "{[":
            try:
                json.loads(stripped)
            except ValueError:
                pass
            else:
                return "{}"
        return self.text(value)

    def path(self, path: str) -> str:
        """A request path with every segment that names something scrambled."""
        return "/".join(
            quote(self.mapping[unquote(s)], safe="") if unquote(s) in self.mapping else s
            for s in path.split("/")
        )

    def query(self, params: Mapping[str, str]) -> dict[str, str]:
        """Query parameters with credentials masked and identifying values scrambled."""
        out = {}
        for key, value in params.items():
            if key.lower() in self.secret_keys:
                out[key] = REDACTED
            elif key == "touchpoint" or value in self.mapping:
                out[key] = self.text(value)
            else:
                out[key] = self.redactor(value)
        return out


class Recorder:
    """Collects observations during a run and writes them as fixtures at the end."""

    def __init__(self, directory: str | os.PathLike[str], scrubber: Scrubber, api: str) -> None:
        self.directory = Path(directory)
        self.scrubber = scrubber
        self.api = api
        self._observations: list[Observation] = []

    def add(self, observation: Observation) -> None:
        """Keep one answered probe for writing."""
        if observation.response is not None:
            self._observations.append(observation)
            self.scrubber.keep(v.value for v in observation.probe.expect.values)

    def write(self, identifying: Iterable[str] = ()) -> list[Path]:
        """Write every kept answer and the manifest; return the files written."""
        scrub = self.scrubber
        for value in identifying:
            if value:
                scrub.text(value)
        entries: list[dict[str, Any]] = []
        written: list[Path] = []
        counts: dict[str, int] = {}
        bodies = []
        # Bodies first: paths and queries reuse what scrambling the bodies learned.
        for observation in self._observations:
            response = observation.response
            assert response is not None
            try:
                parsed: Any = response.json() if response.content.strip() else None
            except ValueError:
                parsed = scrub.text(response.text)
            bodies.append(scrub.body(parsed))
        folder = self.directory / self.api
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for observation, body in zip(self._observations, bodies, strict=True):
                probe, response = observation.probe, observation.response
                assert response is not None
                slug = re.sub(r"[^a-z0-9]+", "-", probe.name.lower()).strip("-")
                stem = f"{probe.operation}.{slug}"
                counts[stem] = counts.get(stem, 0) + 1
                name = f"{stem}.{counts[stem]}.{response.status_code}.json"
                text = scrub.redactor(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
                (folder / name).write_text(text, encoding="utf-8")
                written.append(folder / name)
                headers = {
                    k: _cookie(v) if k == "set-cookie" else scrub.redactor(v)
                    for k, v in response.headers.items()
                    if k in _KEPT_HEADERS
                }
                entries.append(
                    {
                        "api": self.api,
                        "kind": "recorded",
                        "file": f"{self.api}/{name}",
                        "schema": probe.expect.schema,
                        "operation": probe.operation,
                        "probe": probe.name,
                        "status": response.status_code,
                        "request": {
                            "method": probe.method,
                            "path": scrub.path(probe.path),
                            "query": scrub.query(probe.params),
                        },
                        "headers": headers,
                    }
                )
            path = self.directory / "manifest.json"
            manifest = {
                "description": "Answers recorded by statuskit drift --record, with every "
                "secret and identifying value replaced (docs/drift.md).",
                # A recording of the other API in the same folder stays listed.
                "fixtures": [*self._others(path), *entries],
            }
            path.write_text(scrub.redactor(json.dumps(manifest, indent=2) + "\n"), encoding="utf-8")
            written.append(path)
        except OSError as exc:
            raise ConfigError(f"cannot write recordings to {self.directory}: {exc}") from None
        return written

    def _others(self, manifest: Path) -> list[Any]:
        """The entries an earlier recording of another API left in ``manifest``."""
        try:
            old = json.loads(manifest.read_text(encoding="utf-8"))
            return [e for e in old["fixtures"] if e.get("api") != self.api]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return []


def _cookie(header: str) -> str:
    first, _, rest = header.partition(";")
    name = first.partition("=")[0].strip()
    return f"{name}={REDACTED}" + (f";{rest}" if rest else "")
