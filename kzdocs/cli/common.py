"""What every command shares: exit codes, argument types, the configuration."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from kzdocs.config import DEFAULT, Config, load_config

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def command(commands, name: str, handler: Callable[[argparse.Namespace], int], help: str):
    sub = commands.add_parser(name, help=help, description=help)
    sub.set_defaults(command=handler)
    return sub


def choices(allowed: Sequence[str]) -> Callable[[str], tuple[str, ...]]:
    """An argument type for comma-separated choices: `--lang kk,ru`."""

    def parse(text: str) -> tuple[str, ...]:
        values = tuple(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))
        wrong = [v for v in values if v not in allowed]
        if wrong or not values:
            raise argparse.ArgumentTypeError(f"must be among {', '.join(allowed)}, got {text!r}")
        return values

    return parse


def config_of(args: argparse.Namespace) -> Config:
    return load_config(args.config) if args.config else DEFAULT
