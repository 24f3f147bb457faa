"""The `kzdocs` command: a thin layer over the library. Every command is a function taking the
parsed arguments and returning the exit code; `main(argv)` is what tests call, `run()` what the
console script and `python -m kzdocs` call."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from kzdocs.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    guard_standard_streams,
    silence_stdout,
    stdout_failed,
)
from kzdocs.errors import KzdocsError

__all__ = ["main", "run"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 invalid input or failure, 2 usage)."""
    guard_standard_streams()
    args = _parser().parse_args(argv)
    try:
        code = args.command(args)
        sys.stdout.flush()  # here, not at exit, so a full disk is reported like any failure
        return code
    except KzdocsError as exc:
        print(f"kzdocs: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("kzdocs: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except BrokenPipeError:
        # The reader went away (`kzdocs schema … | head`): not an error of ours.
        silence_stdout()
        return EXIT_OK
    except OSError as exc:
        if not stdout_failed():
            raise
        print(f"kzdocs: error: cannot write to standard output: {exc.strerror}", file=sys.stderr)
        silence_stdout()
        return EXIT_INVALID


def run() -> int:
    """`main()` in a process of kzdocs' own (the `kzdocs` command), which may tune itself."""
    from kzdocs import ownprocess

    ownprocess.tune()
    try:
        return main()
    finally:
        ownprocess.ending()


def _parser() -> argparse.ArgumentParser:
    # Here, not at the top: `run()` tunes the process before the commands' imports.
    from kzdocs import __version__
    from kzdocs.cli import checks, documents, preview, serve, signing

    parser = argparse.ArgumentParser(prog="kzdocs", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"kzdocs {__version__}")
    parser.add_argument(
        "--config", type=Path, help="configuration file (JSON): issuer, number patterns, templates"
    )
    parser.add_argument(
        "--strict-languages",
        action="store_true",
        help='language-content fields must give {"kk": …, "ru": …} (as "strict_languages": true)',
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    for register in (
        documents.render_parser,
        documents.validate_parser,
        documents.schema_parser,
        documents.kinds_parser,
        signing.verify_parser,
        signing.extract_xml_parser,
        signing.dev_cert_parser,
        checks.golden_parser,
        checks.templates_parser,
        serve.serve_parser,
        preview.preview_parser,
    ):
        register(commands)
    return parser
