"""What every command shares: exit codes, argument types, the configuration."""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from kzdocs.config import DEFAULT, Config, load_config
from kzdocs.files import write_atomically

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
    config = load_config(args.config) if args.config else DEFAULT
    if getattr(args, "strict_languages", False):
        config = replace(config, strict_languages=True)
    return config


def write_output(data: bytes, output: Path | None) -> None:
    """A command's result: to a file, written whole or not at all, or to stdout (None or '-')."""
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomically(output, data)


class ClosedStream(io.TextIOBase):
    """Standard output started closed (`kzdocs … >&-`): writing to it is an error, not silence."""

    @property
    def buffer(self) -> ClosedStream:
        return self

    def write(self, data: object) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        pass


def guard_standard_streams() -> None:
    """Give closed standard streams /dev/null, so no file kzdocs opens becomes fd 1 or 2 by
    chance; output meant for a closed standard output fails as an error."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            os.dup2(os.open(os.devnull, os.O_RDWR), fd)
    if sys.stdout is None:
        sys.stdout = ClosedStream()


def stdout_failed() -> bool:
    """Whether standard output refuses what was written to it (a full disk, a closed stream)."""
    try:
        sys.stdout.write("")
        sys.stdout.flush()
    except OSError:
        return True
    return False


def silence_stdout() -> None:
    """Send standard output to /dev/null, so the interpreter's flush at exit finds no error."""
    with contextlib.suppress(OSError, ValueError):  # no descriptor: nothing will be flushed
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
