"""``statuskit selfcheck``: validate every bundled fixture against its strict schema."""

from __future__ import annotations

import argparse

from statuskit import __version__

__all__ = ["register"]


def run(args: argparse.Namespace) -> int:
    """Validate every fixture and print one line per failure and a summary."""
    from statuskit.fixtures import fixtures
    from statuskit.registry import default_registry

    registry = default_registry()
    failures = total = 0
    for fixture in fixtures(api=args.api):
        for index, instance in enumerate(fixture.instances()):
            total += 1
            findings = registry.validate(fixture.api, fixture.schema, instance)
            label = f"{fixture.api}/{fixture.path.name}"
            label += f"[{index}]" if fixture.kind == "seed" else ""
            for finding in findings:
                print(f"FAIL {label}: {finding}")
            failures += bool(findings)
            if not findings and args.verbose:
                print(f"ok   {label} ~ {fixture.schema}")
    schemas = sum(len(registry.names(api)) for api in registry.apis() if args.api in (None, api))
    print(
        f"statuskit {__version__}: {schemas} schemas under {registry.root}; "
        f"{total - failures}/{total} fixture instances valid"
    )
    return 1 if failures else 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``selfcheck`` parser."""
    parser = commands.add_parser(
        "selfcheck", help="validate the bundled fixtures against the schemas"
    )
    parser.add_argument("--api", choices=("thalamus", "tealium"), default=None)
    parser.add_argument("-v", "--verbose", action="store_true", help="list valid fixtures too")
    parser.set_defaults(run=run)
