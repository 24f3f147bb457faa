"""The `kzdocs` command: a thin layer over the library. Every command is a function taking the
parsed arguments and returning the exit code; `main(argv)` is what tests call."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from kzdocs import __version__
from kzdocs.batch import ProgressBar, render_files, write_atomically
from kzdocs.config import DEFAULT, Config, load_config
from kzdocs.errors import KzdocsError, ValidationError
from kzdocs.forms import FORMS, KINDS
from kzdocs.records import load_record
from kzdocs.render import FORMATS, LANGS, render
from kzdocs.schema import json_schema, validate

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 invalid input or failure, 2 usage)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.command(args)
    except KzdocsError as exc:
        print(f"kzdocs: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:
        # The reader went away (`kzdocs schema … | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kzdocs", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"kzdocs {__version__}")
    parser.add_argument(
        "--config", type=Path, help="configuration file (JSON): issuer, number patterns, templates"
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    for register in (
        _render_parser,
        _validate_parser,
        _schema_parser,
        _kinds_parser,
        _golden_parser,
        _templates_parser,
    ):
        register(commands)
    return parser


def _command(commands, name: str, handler: Callable[[argparse.Namespace], int], help: str):
    sub = commands.add_parser(name, help=help, description=help)
    sub.set_defaults(command=handler)
    return sub


def _choices(allowed: Sequence[str]) -> Callable[[str], tuple[str, ...]]:
    """An argument type for comma-separated choices: `--lang kk,ru`."""

    def parse(text: str) -> tuple[str, ...]:
        values = tuple(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))
        wrong = [v for v in values if v not in allowed]
        if wrong or not values:
            raise argparse.ArgumentTypeError(f"must be among {', '.join(allowed)}, got {text!r}")
        return values

    return parse


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config) if args.config else DEFAULT


# -- render -------------------------------------------------------------------------------------


def _render_parser(commands) -> None:
    sub = _command(commands, "render", _render, "render records as documents")
    sub.add_argument("records", nargs="+", type=Path, metavar="RECORD.json")
    sub.add_argument(
        "--lang", type=_choices(LANGS), default=("kk",), help="kk, ru or kk,ru (default kk)"
    )
    sub.add_argument(
        "--format",
        type=_choices(FORMATS),
        default=("html",),
        help="html, xml, pdf, docx; comma-separated",
    )
    sub.add_argument(
        "-o",
        "--output",
        type=Path,
        help="output file (one document) or folder; '-' or none: stdout",
    )
    sub.add_argument(
        "-j", "--workers", type=int, default=None, help="worker processes for several records"
    )


def _render(args: argparse.Namespace) -> int:
    config = _config(args)
    single = len(args.records) == 1 and len(args.lang) == 1 and len(args.format) == 1
    if single and not _is_folder(args.output):
        return _render_one(args.records[0], args.lang[0], args.format[0], args.output, config)
    if args.output is None or str(args.output) == "-":
        print("kzdocs: error: several documents need -o FOLDER", file=sys.stderr)
        return EXIT_USAGE
    progress = ProgressBar(len(args.records))
    outcomes = render_files(
        args.records, args.output, langs=args.lang, formats=args.format, config=config,
        workers=args.workers, on_done=progress,
    )  # fmt: skip
    for outcome in outcomes:
        if not outcome.ok:
            print(f"{outcome.source}: {outcome.error}", file=sys.stderr)
            for line in outcome.details:
                print(f"  - {line}", file=sys.stderr)
    written = sum(len(o.written) for o in outcomes)
    failed = sum(not o.ok for o in outcomes)
    print(
        f"{written} document(s) written to {args.output}; {failed} record(s) failed",
        file=sys.stderr,
    )
    return EXIT_INVALID if failed else EXIT_OK


def _is_folder(output: Path | None) -> bool:
    return output is not None and (output.is_dir() or str(output).endswith(("/", "\\")))


def _render_one(source: Path, lang: str, format: str, output: Path | None, config: Config) -> int:
    try:
        data = render(load_record(source), lang=lang, format=format, config=config)
    except ValidationError as exc:
        return _report_invalid(source, exc)
    if output is None or str(output) == "-":
        if format in ("pdf", "docx") and sys.stdout.isatty():
            print(f"kzdocs: error: {format.upper()} is binary; give -o FILE", file=sys.stderr)
            return EXIT_USAGE
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomically(output, data)
    return EXIT_OK


def _report_invalid(source: Path, exc: ValidationError, lang: str = "kk") -> int:
    print(f"{source}: {len(exc.errors)} error(s) in the record:", file=sys.stderr)
    for error in exc.errors:
        print(f"  - {error.describe(lang)}", file=sys.stderr)
    return EXIT_INVALID


# -- validate -----------------------------------------------------------------------------------


def _validate_parser(commands) -> None:
    sub = _command(
        commands, "validate", _validate, "check records against every rule of their kind"
    )
    sub.add_argument("records", nargs="+", type=Path, metavar="RECORD.json")
    sub.add_argument("--json", action="store_true", help="print the errors as JSON")
    sub.add_argument("--lang", choices=LANGS, default="kk", help="language of the field labels")


def _validate(args: argparse.Namespace) -> int:
    config = _config(args)
    results = {str(path): _errors_of(path, config) for path in args.records}
    if args.json:
        payload = {path: [e.as_json() for e in errors] for path, errors in results.items()}
        if len(args.records) == 1:
            payload = next(iter(payload.values()))
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        for path, errors in results.items():
            print(f"{path}: valid" if not errors else f"{path}: {len(errors)} error(s)")
            for error in errors:
                print(f"  - {error.describe(args.lang)}")
    return EXIT_INVALID if any(results.values()) else EXIT_OK


def _errors_of(path: Path, config: Config) -> list:
    """The record file's rule errors; a file that is no record at all raises RecordFileError."""
    try:
        validate(load_record(path), config)
    except ValidationError as exc:
        return exc.errors
    return []


# -- schema, kinds ------------------------------------------------------------------------------


def _schema_parser(commands) -> None:
    sub = _command(commands, "schema", _schema, "print the JSON Schema of a kind's record")
    sub.add_argument("kind", metavar="KIND", help=", ".join(KINDS))


def _schema(args: argparse.Namespace) -> int:
    json.dump(json_schema(args.kind), sys.stdout, ensure_ascii=False, indent=2)
    print()
    return EXIT_OK


def _kinds_parser(commands) -> None:
    _command(commands, "kinds", _kinds, "list the document kinds")


def _kinds(args: argparse.Namespace) -> int:
    for kind, form in FORMS.items():
        print(f"{kind:<16} {form.title.kk} / {form.title.ru}")
    return EXIT_OK


# -- golden, templates ---------------------------------------------------------------------------


def _golden_parser(commands) -> None:
    golden = commands.add_parser("golden", help="compare renderings with approved golden files")
    actions = golden.add_subparsers(title="actions", required=True, metavar="ACTION")
    check = _command(actions, "check", _golden_check, "exit 1 and explain when a rendering changed")
    check.add_argument(
        "--report", type=Path, metavar="DIR", help="write an HTML report with page images"
    )
    update = _command(actions, "update", _golden_update, "approve the current renderings")
    update.add_argument(
        "--prune", action="store_true", help="remove golden files without a fixture"
    )
    for sub in (check, update):
        sub.add_argument(
            "--fixtures", type=Path, default=Path("fixtures"), help="default: fixtures/"
        )
        sub.add_argument(
            "--golden", type=Path, default=Path("tests/golden"), help="default: tests/golden/"
        )
        sub.add_argument("--lang", type=_choices(LANGS), default=LANGS, help="default: kk,ru")
        sub.add_argument(
            "--format", type=_choices(FORMATS), default=FORMATS, help="default: all formats"
        )


def _golden_check(args: argparse.Namespace) -> int:
    from kzdocs.golden import check, format_result

    result = check(
        args.fixtures, args.golden, formats=args.format, langs=args.lang,
        report_dir=args.report, config=_config(args),
    )  # fmt: skip
    print(format_result(result))
    return EXIT_OK if result.ok else EXIT_INVALID


def _golden_update(args: argparse.Namespace) -> int:
    from kzdocs.golden import format_updated, update

    paths = update(
        args.fixtures, args.golden, formats=args.format, langs=args.lang,
        config=_config(args), prune=args.prune,
    )  # fmt: skip
    print(format_updated(paths))
    return EXIT_OK


def _templates_parser(commands) -> None:
    templates = commands.add_parser("templates", help="check the templates")
    actions = templates.add_subparsers(title="actions", required=True, metavar="ACTION")
    check = _command(
        actions, "check", _templates_check, "both languages, all 18 fields, schema names, fonts"
    )
    check.add_argument(
        "--templates", type=Path, metavar="DIR", help="a template folder (default: shipped)"
    )


def _templates_check(args: argparse.Namespace) -> int:
    from kzdocs.templatecheck import check_templates, format_problems

    problems = check_templates(args.templates or _config(args).templates)
    print(format_problems(problems))
    return EXIT_INVALID if problems else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
