"""The ``statuskit`` subcommands, one module each: ``register(subparsers)`` adds its parser."""

__all__: list[str] = []
