"""The options of `kzdocs render` that send records to a kzdocs service instead."""

from __future__ import annotations

import argparse
from pathlib import Path

from kzdocs.errors import ConfigError

DEFAULT_REQUESTS = 4


def add_server_options(sub: argparse.ArgumentParser) -> None:
    group = sub.add_argument_group("rendering on a kzdocs service (kzdocs serve)")
    group.add_argument("--server", metavar="URL", help="e.g. http://127.0.0.1:8080; needs -o DIR")
    group.add_argument("--token-file", metavar="FILE", help="the service's bearer token")
    group.add_argument(
        "--server-sign", action="store_true", help="have the service sign, with its own key"
    )


def remote_of(args: argparse.Namespace):
    """The service to render on, or None for a local batch; `ConfigError` for options that do
    not go together (signing options with a server: keys stay with the server)."""
    if args.server is None:
        if args.token_file or args.server_sign:
            raise ConfigError("--token-file and --server-sign go with --server URL")
        return None
    from kzdocs.service.client import Remote  # httpx: only for a render on a service
    from kzdocs.service.settings import read_token

    if args.sign or args.sign_key or args.sign_cert or args.signer or args.signer_option:
        raise ConfigError("keys stay with the server: use --server-sign, not a key or signer")
    if not args.server.startswith(("http://", "https://")):
        raise ConfigError(f"--server must be an http:// or https:// URL, got {args.server!r}")
    token = read_token(Path(args.token_file)) if args.token_file else None
    as_ = getattr(args, "as_", None)
    return Remote(args.server.rstrip("/"), token=token, sign=args.server_sign, as_=as_)
