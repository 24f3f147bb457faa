"""`kzdocs preview`: the lawyers' live preview in the browser."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kzdocs.cli.common import EXIT_OK, command
from kzdocs.errors import ConfigError

DEFAULT_KEY = Path("fixtures/sign/dev-rsa.p12")


def preview_parser(commands) -> None:
    sub = command(
        commands,
        "preview",
        _preview,
        "a live preview of the documents in a browser, Kazakh beside Russian",
    )
    sub.add_argument(
        "--templates",
        type=Path,
        metavar="DIR",
        help="your template folder (default: the configuration's, else shipped)",
    )
    sub.add_argument(
        "--records",
        type=Path,
        metavar="DIR",
        help="records to show and save into (default: fixtures/ if present)",
    )
    sub.add_argument(
        "--golden",
        type=Path,
        metavar="DIR",
        default=Path("tests/golden"),
        help="approved golden files (default: tests/golden/)",
    )
    # SUPPRESS: `kzdocs --config FILE preview` keeps working, `preview --config FILE` too.
    sub.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="configuration file (JSON), watched like the templates",
    )
    sub.add_argument(
        "--sign",
        type=Path,
        metavar="KEY.p12",
        help=f"the test key of the signed view (default: {DEFAULT_KEY} if present, "
        "else a TEST certificate made for the session)",
    )
    sub.add_argument(
        "--port", type=int, default=8014, help="port on 127.0.0.1 (default: 8014; 0: any free port)"
    )


def _preview(args: argparse.Namespace) -> int:
    from kzdocs.preview import Preview, PreviewServer, Workspace

    workspace = Workspace(
        templates=_folder(args.templates, "--templates"),
        records=_folder(args.records, "--records") or _present(Path("fixtures")),
        golden=args.golden,
        config_file=args.config,
        key=args.sign or (DEFAULT_KEY if DEFAULT_KEY.is_file() else None),
    )
    workspace.config()  # a broken configuration is said now; later breakage shows in the page
    try:
        server = PreviewServer(Preview(workspace), args.port)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}; "
            "choose another port with --port"
        ) from None
    print(f"kzdocs preview: {server.url}  (Ctrl+C stops it)", flush=True)
    try:
        server.serve()
    except KeyboardInterrupt:
        print("kzdocs preview: stopped", file=sys.stderr)
    finally:
        server.server_close()
    return EXIT_OK


def _folder(path: Path | None, option: str) -> Path | None:
    if path is not None and not path.is_dir():
        raise ConfigError(f"{option}: {str(path)!r} is not a folder")
    return path


def _present(path: Path) -> Path | None:
    return path if path.is_dir() else None
