"""Generated records without a stored body: per-record draws and once-validated templates.

A million generated records cannot each be built, validated (about a millisecond apiece) and
stored at startup. Instead each generated record is a pure function of ``(seed, n)``:

* :class:`Draws` gives record ``n`` its own random stream, hashed from the API, the seed and
  ``n``, so any record can be made alone, in any order, in any process;
* :class:`Template` renders a body from a record the gate validated once, with only the
  values that vary put in. Each value is of the type and in the range the schema asks for by
  construction (the draws keep them there), and a template proves on creation that it renders
  its validated sample to the very bytes the gate gave, so a rendered body is what
  ``gate.encode(build(...))`` gives for the same values.

The store keeps only the columns of such a record and asks a per-API :class:`Synthesiser`
for its body (``Store.synthesizers``). The synthesiser draws with the parameters the
database was seeded with, which the seeding process publishes in the control row: every
worker, and every instance on a shared database, then makes the same bodies, whatever seed
its own configuration names.
"""

from __future__ import annotations

import copy
import hashlib
import json
import json.encoder
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

from mockserver._http import Gate, dumps
from mockserver.control import Control
from statuskit.errors import ContractViolation

__all__ = ["CONTROL_KEY", "Draws", "Generator", "Path", "Synthesiser", "Template", "encode_value"]

#: Where the control row's data holds each API's generation parameters.
CONTROL_KEY = "generated"

#: Where a value sits in a body: keys and list indexes from the top.
Path = tuple[str | int, ...]

# A place-holder no body contains: private-use code points, which json.dumps with
# ensure_ascii=False writes through as they are.
_MARK = "\ue000"
_SLOT = re.compile(f'"{_MARK}([0-9]+){_MARK}"')


class Draws:
    """The random draws of one generated record: ``randint`` and ``choice`` from a stream
    that depends on ``(api, seed, n)`` alone.

    The stream is a 512-bit BLAKE2b digest, spent a draw at a time by ``divmod``. A record
    may spend :data:`BUDGET` bits of it (a draw past them raises, rather than repeat or run
    thin), so at least 128 bits stay unspent under the last draw and no remainder is biased
    by more than 2**-128.
    """

    __slots__ = ("_bits", "_budget")

    #: Bits of the digest, and how many of them a record's draws may spend together (a draw
    #: from ``k`` values spends ``k.bit_length()``, a little more than log2(k)).
    BITS, BUDGET = 512, 384

    def __init__(self, api: str, seed: int, n: int) -> None:
        digest = hashlib.blake2b(f"{api}:{seed}:{n}".encode(), digest_size=self.BITS // 8)
        self._bits = int.from_bytes(digest.digest(), "little")
        self._budget = self.BUDGET

    def below(self, k: int) -> int:
        """A draw from ``0 .. k - 1``."""
        self._budget -= k.bit_length()
        if k < 1 or self._budget < 0:
            raise ValueError(f"cannot draw from {k} values here")
        self._bits, value = divmod(self._bits, k)
        return value

    def randint(self, low: int, high: int) -> int:
        """A draw from ``low .. high``, both included (as :meth:`random.Random.randint`)."""
        return low + self.below(high - low + 1)

    def choice(self, options: Sequence[Any]) -> Any:
        """One of ``options``."""
        return options[self.below(len(options))]

    def chance(self, percent: int) -> bool:
        """``True`` with a probability of ``percent`` in 100."""
        return self.below(100) < percent


def _encode_int(value: int) -> str:
    return int.__repr__(value)


def _encode_float(value: float) -> str:
    return float.__repr__(value)


#: How json.dumps writes each scalar type (ensure_ascii=False): the C string encoder it uses
#: itself, repr for numbers. Containers and other types are not template values.
_ENCODERS: dict[type, Callable[[Any], str]] = {
    str: json.encoder.encode_basestring,
    int: _encode_int,
    float: _encode_float,
    bool: lambda value: "true" if value else "false",
    type(None): lambda value: "null",
}


def encode_value(value: Any) -> str:
    """A scalar as :func:`mockserver._http.dumps` writes it inside a body."""
    return _ENCODERS[type(value)](value)


def _place(obj: Any, path: Path, value: Any) -> None:
    *parents, last = path
    for step in parents:
        obj = obj[step]
    obj[last] = value


def _fetch(obj: Any, path: Path) -> Any:
    for step in path:
        obj = obj[step]
    return obj


class Template:
    """A body with holes: ``sample`` (a record of the body's shape) validated once, strictly,
    with the values at ``paths`` left to :meth:`render`.

    Creating one checks that ``sample`` passes the gate, and that rendering ``sample``'s own
    values gives the gate's bytes exactly; it raises
    :class:`~statuskit.errors.ContractViolation` otherwise.
    """

    def __init__(
        self, gate: Gate, api: str, schema: str, sample: dict[str, Any], paths: Sequence[Path]
    ) -> None:
        validated = gate.encode(api, schema, sample)
        marked = copy.deepcopy(sample)
        for index, path in enumerate(paths):
            if isinstance(_fetch(sample, path), (dict, list)):
                raise ValueError(f"a template value must be a scalar, not at {path!r}")
            _place(marked, path, f"{_MARK}{index}{_MARK}")
        pieces = _SLOT.split(dumps(marked).decode())
        # pieces alternate: literal text, a slot's index, literal text, ...
        self._head = pieces[0]
        self._order = tuple(int(i) for i in pieces[1::2])
        self._tails = tuple(pieces[2::2])
        if sorted(self._order) != list(range(len(paths))):
            raise ValueError("every template value must appear once in the body")
        if self.render([_fetch(sample, path) for path in paths]) != validated:
            raise ContractViolation(f"{api}/{schema}: a template does not render its own sample")

    def render(self, values: Sequence[Any]) -> bytes:
        """The body with ``values`` (one per path, in the paths' order) put in."""
        out = [self._head]
        for index, tail in zip(self._order, self._tails, strict=True):
            value = values[index]
            out.append(_ENCODERS[type(value)](value))
            out.append(tail)
        return "".join(out).encode()


class Generator(Protocol):
    """What makes one API's generated records for one set of parameters."""

    def body(self, n: int) -> bytes:
        """Generated record ``n``'s body."""
        ...


G = TypeVar("G", bound=Generator)


class Synthesiser(Generic[G]):
    """One API's entry in ``Store.synthesizers``: ``synthesiser(n)`` is generated record
    ``n``'s body, drawn with the parameters the database was seeded with.

    ``make(**params)`` makes a :class:`Generator` (validating its templates). ``params`` are
    this process's own; with ``eager`` their generator is made at once, so a template that
    breaks its schema stops the start. Generators are kept per parameters, so each template
    is validated once per process.
    """

    def __init__(
        self,
        api: str,
        control: Control,
        make: Callable[..., G],
        params: Mapping[str, Any],
        *,
        eager: bool = True,
    ) -> None:
        self.api = api
        self.control = control
        self.make = make
        self.params = dict(params)
        self._made: dict[str, G] = {}
        self._lock = threading.Lock()
        # (control generation, the generator of the database's parameters), once read
        self._seeded: tuple[int, G] | None = None
        if eager:
            self.generator(self.params)

    def generator(self, params: Mapping[str, Any]) -> G:
        """The generator of ``params``, made once."""
        key = json.dumps(params, sort_keys=True)
        found = self._made.get(key)
        if found is None:
            with self._lock:
                found = self._made.get(key) or self.make(**params)
                self._made[key] = found
        return found

    def publish(self) -> G:
        """Record this process's parameters as the database's (when seeding it); return
        their generator."""

        def change(raw: dict[str, Any]) -> None:
            raw.setdefault(CONTROL_KEY, {})[self.api] = self.params

        self.control.update(change)
        return self.generator(self.params)

    def seeded(self) -> G:
        """The generator of the parameters the database was seeded with (this process's own
        if none are recorded). Read again only when the control generation moves on; within
        a request, the control state is pinned, so this reads nothing."""
        generation = self.control.state().generation
        seeded = self._seeded
        if seeded is not None and seeded[0] == generation:
            return seeded[1]
        _, data = self.control.store.control()
        made = self.generator(json.loads(data).get(CONTROL_KEY, {}).get(self.api, self.params))
        self._seeded = (generation, made)
        return made

    def __call__(self, n: int) -> bytes:
        return self.seeded().body(n)
