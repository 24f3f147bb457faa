"""Commands on records: render, validate, schema, kinds."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kzdocs import ownprocess
from kzdocs.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    choices,
    command,
    config_of,
    write_output,
)
from kzdocs.cli.remote import DEFAULT_REQUESTS, add_server_options, remote_of
from kzdocs.cli.signing import add_signer_options, signer_spec
from kzdocs.config import Config
from kzdocs.errors import ConfigError, OutputError, ValidationError
from kzdocs.forms import AS_CHOICES, FORMATS, KINDS, LANGS
from kzdocs.messages import MESSAGE_LANGS, N_, Message, message

if TYPE_CHECKING:
    from kzdocs.batch import SignerSpec
    from kzdocs.cli.interrupt import Summary

# The stages are imported where a command needs them, not here: building the parser imports
# none, so `kzdocs render … --format pdf` starts its PDF engine (kzdocs.pdfahead) before them.

# -- render -------------------------------------------------------------------------------------


def render_parser(commands) -> None:
    sub = command(commands, "render", _render, "render records as documents")
    sub.add_argument("records", nargs="+", type=Path, metavar="RECORD.json", help="'-': stdin")
    sub.add_argument(
        "--lang", type=choices(LANGS), default=("kk",), help="kk, ru or kk,ru (default kk)"
    )
    sub.add_argument(
        "--format",
        type=choices(FORMATS),
        default=("html",),
        help="html, xml, pdf, docx; comma-separated",
    )
    sub.add_argument(
        "-o",
        "--output",
        help="output file (one document) or folder (ending in / or existing); '-' or none: stdout",
    )  # a string, not a Path: a Path drops the trailing / that says "folder"
    sub.add_argument(
        "-j", "--workers", type=int, default=None, help="worker processes for several records"
    )
    sub.add_argument(
        "--skip-existing",
        action="store_true",
        help="leave documents already in the output folder as they are; render only the missing",
    )
    _add_as_option(sub)
    add_signer_options(sub)
    add_server_options(sub)


def _add_as_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--as",
        dest="as_",
        choices=AS_CHOICES,
        help="application: a licence or permit record as its applicant's application or permit "
        "draft (the record's 'application' part gives its number, date, authorised person)",
    )


def _render(args: argparse.Namespace) -> int:
    config = config_of(args)
    try:
        remote = remote_of(args)
    except ConfigError as exc:
        print(f"kzdocs: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    single = len(args.records) == 1 and len(args.lang) == 1 and len(args.format) == 1
    if single and remote is None and not args.skip_existing and not _is_folder(args.output):
        output = None if args.output in (None, "-") else Path(args.output)
        ownprocess.one_document(args.format[0])  # before the key and the stages are loaded
        return _render_one(
            args.records[0], args.lang[0], args.format[0], output, config, signer_spec(args),
            args.as_,
        )  # fmt: skip
    signer = None if remote else signer_spec(args)
    if args.output in (None, "-"):
        print("kzdocs: error: several documents need -o FOLDER", file=sys.stderr)
        return EXIT_USAGE
    from kzdocs.batch import ProgressBar
    from kzdocs.cli.interrupt import Interrupted, Summary, interruptible

    summary = Summary(Path(args.output), len(args.records), ProgressBar(len(args.records)))
    try:
        with interruptible():
            _render_batch(args, Path(args.output), config, signer, remote, summary)
    except Interrupted as stop:
        summary.report(sys.stderr)
        return 128 + stop.signum
    return summary.report(sys.stderr)


def _render_batch(args, out: Path, config: Config, signer, remote, summary: Summary) -> None:
    if remote:
        from kzdocs.service.client import render_remote

        render_remote(
            args.records, out, remote, langs=args.lang, formats=args.format,
            workers=args.workers or DEFAULT_REQUESTS, skip_existing=args.skip_existing,
            on_done=summary,
        )  # fmt: skip
    else:
        from kzdocs.batch import render_files

        render_files(
            args.records, out, langs=args.lang, formats=args.format, config=config,
            signer=signer, workers=args.workers, skip_existing=args.skip_existing,
            on_done=summary, as_=args.as_,
        )  # fmt: skip


def _is_folder(output: str | None) -> bool:
    return output is not None and (Path(output).is_dir() or output.endswith(("/", "\\")))


def _render_one(
    source: Path,
    lang: str,
    format: str,
    output: Path | None,
    config: Config,
    signer: SignerSpec | None,
    as_: str | None = None,
) -> int:
    if output is None and format in ("pdf", "docx") and sys.stdout.isatty():
        print(f"kzdocs: error: {format.upper()} is binary; give -o FILE", file=sys.stderr)
        return EXIT_USAGE  # before any work, not after it
    from kzdocs.batch import same_file
    from kzdocs.render import render

    if output is not None and same_file(source, output):
        raise OutputError(str(output), f"it is the record file {source} itself")
    signing = signer.render_options() if signer else {}
    try:
        data = render(_record(source), lang=lang, format=format, config=config, as_=as_, **signing)
    except ValidationError as exc:
        return _report_invalid(source, exc)
    write_output(data, output)
    return EXIT_OK


def _record(source: Path) -> dict:
    """The record in a file, or on standard input for `-` (back offices pipe records in)."""
    from kzdocs.records import load_record, read_record

    if str(source) == "-":
        return read_record(sys.stdin.buffer, "<stdin>")
    return load_record(source)


def _report_invalid(source: Path, exc: ValidationError) -> int:
    print(f"{source}: {len(exc.errors)} error(s) in the record:", file=sys.stderr)
    for error in exc.errors:
        print(f"  - {error.describe()}", file=sys.stderr)
    return EXIT_INVALID


# -- validate -----------------------------------------------------------------------------------


def validate_parser(commands) -> None:
    sub = command(commands, "validate", _validate, "check records against every rule of their kind")
    sub.add_argument("records", nargs="+", type=Path, metavar="RECORD.json", help="'-': stdin")
    sub.add_argument(
        "--json", action="store_true", help="print the errors as JSON (messages in en, kk, ru)"
    )
    sub.add_argument(
        "--lang",
        choices=MESSAGE_LANGS,
        default="en",
        help="language of the messages: en (default; labels in Kazakh), kk or ru",
    )
    _add_as_option(sub)


def _validate(args: argparse.Namespace) -> int:
    config = config_of(args)
    results = {str(path): _errors_of(path, config, args.as_) for path in args.records}
    if args.json:
        payload = {path: [e.as_json() for e in errors] for path, errors in results.items()}
        if len(args.records) == 1:
            payload = next(iter(payload.values()))
        # Made whole before a byte is written: an error cannot stop it halfway.
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        for path, errors in results.items():
            print(_verdict(path, errors).text(args.lang))
            for error in errors:
                print(f"  - {error.describe(args.lang)}")
    return EXIT_INVALID if any(results.values()) else EXIT_OK


def _verdict(path: str, errors: list) -> Message:
    if not errors:
        return message(N_("{path}: valid"), path=path)
    return message(N_("{path}: {count} error(s)"), path=path, count=len(errors))


def _errors_of(path: Path, config: Config, as_: str | None = None) -> list:
    """The record file's rule errors (as `as_` renders it); a file that is no record at all
    raises RecordFileError."""
    from kzdocs.pairs import document_as

    try:
        document_as(_record(path), as_, config)
    except ValidationError as exc:
        return exc.errors
    return []


# -- schema, kinds ------------------------------------------------------------------------------


def schema_parser(commands) -> None:
    sub = command(commands, "schema", _schema, "print the JSON Schema of a kind's record")
    sub.add_argument("kind", metavar="KIND", help=", ".join(KINDS))


def _schema(args: argparse.Namespace) -> int:
    from kzdocs.schema import json_schema

    json.dump(json_schema(args.kind), sys.stdout, ensure_ascii=False, indent=2)
    print()
    return EXIT_OK


def kinds_parser(commands) -> None:
    command(commands, "kinds", _kinds, "list the document kinds")


def _kinds(args: argparse.Namespace) -> int:
    from kzdocs.words import title

    folder = config_of(args).templates
    width = max(map(len, KINDS))
    for kind in KINDS:
        print(f"{kind:<{width}} {title(kind, 'kk', folder)} / {title(kind, 'ru', folder)}")
    return EXIT_OK
