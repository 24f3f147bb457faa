"""Commands that check the project's own output: golden files and templates."""

from __future__ import annotations

import argparse
from pathlib import Path

from kzdocs.cli.common import EXIT_INVALID, EXIT_OK, choices, command, config_of
from kzdocs.forms import FORMATS, LANGS


def golden_parser(commands) -> None:
    golden = commands.add_parser("golden", help="compare renderings with approved golden files")
    actions = golden.add_subparsers(title="actions", required=True, metavar="ACTION")
    check = command(actions, "check", _golden_check, "exit 1 and explain when a rendering changed")
    check.add_argument(
        "--report", type=Path, metavar="DIR", help="write an HTML report with page images"
    )
    update = command(actions, "update", _golden_update, "approve the current renderings")
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
        sub.add_argument("--lang", type=choices(LANGS), default=LANGS, help="default: kk,ru")
        sub.add_argument(
            "--format", type=choices(FORMATS), default=FORMATS, help="default: all formats"
        )
        sub.add_argument(
            "--sign",
            type=Path,
            metavar="KEY.p12",
            help="also the signed renderings, with this test key (the applicants' forms with "
            "their keys in applicants/<BIN or IIN>.p12 beside it)",
        )
        sub.add_argument(
            "--only", type=_names, metavar="FIXTURE[,…]", help="only these fixtures (file stems)"
        )


def _golden_check(args: argparse.Namespace) -> int:
    from kzdocs.golden import check, format_result

    result = check(
        args.fixtures, args.golden, formats=args.format, langs=args.lang,
        report_dir=args.report, config=config_of(args), signer=_signer(args), names=args.only,
    )  # fmt: skip
    print(format_result(result))
    return EXIT_OK if result.ok else EXIT_INVALID


def _golden_update(args: argparse.Namespace) -> int:
    from kzdocs.golden import format_updated, update

    paths = update(
        args.fixtures, args.golden, formats=args.format, langs=args.lang,
        config=config_of(args), signer=_signer(args), prune=args.prune, names=args.only,
    )  # fmt: skip
    print(format_updated(paths))
    return EXIT_OK


def _names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _signer(args: argparse.Namespace):
    if args.sign is None:
        return None
    from kzdocs.cli.signing import key_password
    from kzdocs.golden.keys import signing_keys

    # The applicants' forms are signed with their keys, in applicants/ beside the issuer's.
    return signing_keys(args.sign, key_password())


def templates_parser(commands) -> None:
    templates = commands.add_parser("templates", help="check the templates")
    actions = templates.add_subparsers(title="actions", required=True, metavar="ACTION")
    check = command(
        actions, "check", _templates_check, "both languages, all 18 fields, schema names, fonts"
    )
    check.add_argument(
        "--templates", type=Path, metavar="DIR", help="a template folder (default: shipped)"
    )


def _templates_check(args: argparse.Namespace) -> int:
    from kzdocs.templatecheck import check_templates, format_problems

    problems = check_templates(args.templates or config_of(args).templates)
    print(format_problems(problems))
    return EXIT_INVALID if problems else EXIT_OK
