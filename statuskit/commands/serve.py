"""``statuskit serve``: the fake upstreams on a production WSGI server."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import TYPE_CHECKING

from statuskit import __version__
from statuskit.commands._options import add_listen
from statuskit.credentials import TealiumCredentials, ThalamusCredentials
from statuskit.secrets import Secret

if TYPE_CHECKING:
    from mockserver.config import MockConfig
    from mockserver.serving import ServeOptions

__all__ = ["register"]

_DEFAULT_THALAMUS = ThalamusCredentials()
_DEFAULT_TEALIUM = TealiumCredentials()


def _shown(value: Secret, default: Secret, variable: str) -> str:
    # The kit's own defaults are public; a credential from the environment is not printed.
    return value.reveal() if value == default else f"(from ${variable})"


def banner(options: ServeOptions, config: MockConfig) -> str:
    """What ``serve`` prints once the state is ready: URLs, credentials, a curl line."""
    host = f"[{options.host}]" if ":" in options.host else options.host
    base = f"http://{host}:{options.port}"
    th, te = config.thalamus, config.tealium
    token = _shown(th.token, _DEFAULT_THALAMUS.token, "STATUSKIT_THALAMUS_TOKEN")
    password = _shown(th.password, _DEFAULT_THALAMUS.password, "STATUSKIT_THALAMUS_PASSWORD")
    lines = [
        f"statuskit {__version__}: fake upstreams on {base} "
        f"({options.server}, {options.workers} worker{'s' if options.workers > 1 else ''})",
    ]
    if options.api in ("thalamus", "all"):
        query = f"touchpoint={th.touchpoint}&token={token}"
        login = f"{base}{config.thalamus_login_path}?{query}"
        status = f"{base}/api/v4/import/status/274?{query}"
        jar = "/tmp/statuskit-cookies"
        lines += [
            f"  Thalamus v4  {base}/api/v4/import/status/{{id}}",
            f"    touchpoint {th.touchpoint}  token {token}  login {th.principal} / {password}",
            f"    curl -s -c {jar} -u {shlex.quote(f'{th.principal}:{password}')} -X POST "
            f"{shlex.quote(login)} && curl -s -b {jar} {shlex.quote(status)}",
        ]
    if options.api in ("tealium", "all"):
        tpass = _shown(te.password, _DEFAULT_TEALIUM.password, "STATUSKIT_TEALIUM_PASSWORD")
        key = _shown(te.api_key, _DEFAULT_TEALIUM.api_key, "STATUSKIT_TEALIUM_API_KEY")
        form = f"username={te.username}&password={tpass}"
        lines += [
            f"  Tealium      {base}/v1/omnichannel/accounts/{te.account}/profiles/{te.profile}"
            "/files/{name}",
            f"    username {te.username}  password {tpass}  v2 key {key}",
            f"    curl -s -D- -d {shlex.quote(form)} {base}/v1/login",
        ]
    if options.replay is not None:
        lines.append(
            f"  Replaying the recording in {options.replay} (again after each reset; "
            "docs/admin.md, Replay)"
        )
    if config.state_url:
        from mockserver.store import redact_url

        lines.append(f"  State        {redact_url(config.state_url)} (shared)")
    if config.test_mode:
        lines.append("  Test mode: a request's X-Statuskit-Fault header injects a fault into it")
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Prepare the state, print the banner, and serve until interrupted."""
    from mockserver.serving import ServeOptions
    from mockserver.serving import run as serve

    options = ServeOptions(
        api=args.api,
        host=args.host,
        port=args.port,
        workers=args.workers,
        config_file=args.config,
        seed=args.seed,
        server=args.server,
        test_mode=args.test_mode,
        replay=os.path.abspath(args.replay) if args.replay else None,
        state_url=args.state,
    )

    def announce(ready: ServeOptions, config: MockConfig) -> None:
        print(banner(ready, config), flush=True)

    serve(options, announce=announce)
    print("statuskit: stopped", file=sys.stderr)
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``serve`` parser."""
    parser = commands.add_parser("serve", help="start the fake upstreams")
    add_listen(parser, port=8080)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--config", metavar="FILE", help="a TOML or JSON mock config file")
    parser.add_argument("--seed", type=int, help="seed of the generated data (default 0)")
    parser.add_argument(
        "--server",
        choices=("granian", "gunicorn"),
        default="granian",
        help="the WSGI server (default granian; gunicorn is the fallback)",
    )
    parser.add_argument(
        "--test-mode",
        action="store_true",
        help="honour the X-Statuskit-Fault request header (a one-off fault per request)",
    )
    parser.add_argument(
        "--state",
        metavar="URL",
        help="where the shared state lives: postgresql://user:password@host/db, shared by "
        "several serve instances (default: a private SQLite file; also STATUSKIT_STATE_URL "
        "or state_url in the config file)",
    )
    parser.add_argument(
        "--replay",
        metavar="DIR",
        help="replay a recording (statuskit proxy --record DIR): its resources move through "
        "their recorded lifecycles on the mock's clock",
    )
    parser.set_defaults(run=run)
