"""``python -m statuskit``: the same command line as the ``statuskit`` script."""

from statuskit.cli import main

raise SystemExit(main())
