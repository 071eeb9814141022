"""The machinery of the contract suites (``contract_tests/``), importable and tested on its
own.

* ``options``: the ``--contract-*`` options and their ``STATUSKIT_CONTRACT_*`` fallbacks;
* ``wire``: ``docs/wire.md`` as data, each operation's documented statuses and error cases;
* ``target``: where a run's requests go (in-process, ``statuskit serve``, a URL), and what
  is known to exist there;
* ``transport``: the guarded transport (writes, budget, pacing, dry run, observers);
* ``coverage``: which documented statuses, codes, states and fields a run observed;
* ``checks``: what is checked about one answer, and the reference client's replay;
* ``raw``: hand-built requests with valid sessions at hand;
* ``profiles``: the hypothesis profiles ``dev``, ``ci`` and ``live``.
"""

__all__: list[str] = []
