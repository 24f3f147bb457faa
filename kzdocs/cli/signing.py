"""Commands and options of the transport signature: --sign, verify, extract-xml, dev-cert."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from datetime import datetime
from pathlib import Path

from kzdocs.batch import SignerSpec
from kzdocs.cli.common import EXIT_INVALID, EXIT_OK, command, config_of, write_output
from kzdocs.errors import SigningError
from kzdocs.render import ASTANA

PASSWORD_VARIABLE = "KZDOCS_KEY_PASSWORD"


def add_signer_options(sub: argparse.ArgumentParser) -> None:
    """The options of `render` that choose a signer; without them a document stays a draft."""
    group = sub.add_argument_group("signing (the transport signature)")
    group.add_argument(
        "--sign",
        type=Path,
        metavar="KEY.p12",
        help=f"PKCS#12 key; password from ${PASSWORD_VARIABLE} or a prompt",
    )
    group.add_argument(
        "--sign-key", type=Path, metavar="KEY.pem", help="PEM private key (with --sign-cert)"
    )
    group.add_argument(
        "--sign-cert", type=Path, metavar="CERT.pem", help="PEM certificate of --sign-key"
    )
    group.add_argument(
        "--signer",
        metavar="NAME",
        help="a registered signer: none, local, ncanode, command, plugins",
    )
    group.add_argument(
        "--signer-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="option of --signer; repeatable",
    )
    group.add_argument(
        "--signed-at", type=_moment, metavar="ISO-TIME", help="signing time (default: now)"
    )


def signer_spec(args: argparse.Namespace) -> SignerSpec | None:
    """The signer the options ask for, or None for an unsigned draft."""
    if args.sign and args.sign_key:
        raise SigningError("give either --sign KEY.p12 or --sign-key/--sign-cert, not both")
    if args.sign_cert and not args.sign_key:
        raise SigningError("--sign-cert goes with --sign-key")
    options = dict(_option(text) for text in args.signer_option)
    if args.sign or args.sign_key:
        options.update(key=str(args.sign or args.sign_key), password=key_password())
        if args.sign_cert:
            options["certificate"] = str(args.sign_cert)
        name = args.signer or "local"
    elif args.signer:
        name = args.signer
        if "key" in options and "password" not in options:  # never on the command line
            options["password"] = key_password()
    else:
        return None
    spec = SignerSpec(name, tuple(sorted(options.items())), args.signed_at)
    spec.build()  # fail now, once, on a wrong password or a bad key: not once per document
    return spec


def _option(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise SigningError(f"--signer-option must be KEY=VALUE, got {text!r}")
    return key, {"true": True, "false": False}.get(value, value)


def key_password() -> str | None:
    """The key's password: from the environment, else asked on the terminal."""
    if PASSWORD_VARIABLE in os.environ:
        return os.environ[PASSWORD_VARIABLE]
    if sys.stdin.isatty():
        return getpass.getpass("key password: ")
    raise SigningError(f"the key's password: set ${PASSWORD_VARIABLE} (no terminal to ask on)")


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be an ISO time like 2026-03-02T10:00:00+05:00, got {text!r}"
        ) from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"must carry its time zone (e.g. +05:00), got {text!r}")
    return moment


# -- verify -------------------------------------------------------------------------------------


def verify_parser(commands) -> None:
    sub = command(commands, "verify", _verify, "check the signature of a signed XML or PDF")
    sub.add_argument("file", type=Path, metavar="FILE", help="signed .xml or .pdf")


def _verify(args: argparse.Namespace) -> int:
    from kzdocs.sign import verify_pdf, verify_xml

    data = _read(args.file)
    is_pdf = data.startswith(b"%PDF")
    result = verify_pdf(data) if is_pdf else verify_xml(data)
    _print_result("signature", result)
    for inner in result.embedded:
        _print_result("embedded XML", inner)
    valid = result.valid and all(inner.valid for inner in result.embedded)
    if is_pdf:
        from kzdocs.crosscheck import visible_disagreements

        problems = visible_disagreements(data, config=config_of(args))
        print(
            "visible fields: agree with the embedded XML"
            if not problems
            else "visible fields: DISAGREE"
        )
        for problem in problems:
            print(f"  - {problem}")
        valid = valid and not problems
    return EXIT_OK if valid else EXIT_INVALID


def _print_result(what: str, result) -> None:
    print(f"{what}: {'valid' if result.valid else 'INVALID'} ({result.reason})")
    signature = result.signature
    if signature is not None:
        ids = ", ".join(
            f"{k} {v}" for k, v in (("IIN", signature.iin), ("BIN", signature.bin)) if v
        )
        print(f"  signer:    {signature.subject}{f' ({ids})' if ids else ''}")
        print(f"  serial:    {signature.serial}")
        print(f"  issuer:    {signature.issuer}")
        print(f"  algorithm: {signature.algorithm}")
        print(
            f"  signed at: {signature.signed_at.astimezone(ASTANA):%d.%m.%Y %H:%M:%S} (Astana time)"
        )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SigningError(f"{path}: cannot be read: {exc.strerror}") from None


# -- extract-xml --------------------------------------------------------------------------------


def extract_xml_parser(commands) -> None:
    sub = command(
        commands,
        "extract-xml",
        _extract_xml,
        "write the (signed) record XML embedded in a kzdocs PDF",
    )
    sub.add_argument("pdf", type=Path, metavar="DOC.pdf")
    sub.add_argument("-o", "--output", type=Path, help="output file (default: stdout)")
    sub.add_argument(
        "--record", action="store_true", help="print the record as JSON instead of XML"
    )


def _extract_xml(args: argparse.Namespace) -> int:
    from kzdocs.pdf import extract_xml
    from kzdocs.sign.record import signed_record
    from kzdocs.xml import from_xml, validate_xml

    data = xml = extract_xml(_read(args.pdf))  # as embedded: a signature stays verifiable
    record = signed_record(xml)  # a WS-Security envelope holds the record in its Body
    validate_xml(record)
    if args.record:
        record_json = json.dumps(from_xml(record), ensure_ascii=False, indent=2, default=str)
        data = record_json.encode() + b"\n"
    write_output(data, args.output)
    return EXIT_OK


# -- dev-cert -----------------------------------------------------------------------------------


def dev_cert_parser(commands) -> None:
    sub = command(
        commands,
        "dev-cert",
        _dev_cert,
        "make a self-signed TEST certificate (PKCS#12) for demos and tests",
    )
    sub.add_argument("output", type=Path, metavar="OUT.p12")
    sub.add_argument("--name", default="ТЕСТОВ ТЕСТ ТЕСТОВИЧ", help="subject's name (CN)")
    sub.add_argument("--iin", default="900115300013")
    sub.add_argument("--bin", default="150440000013")
    sub.add_argument("--key", choices=("rsa", "ec"), default="rsa")
    sub.add_argument("--days", type=int, default=365)
    sub.add_argument(
        "--valid-from", type=_moment, metavar="ISO-TIME", help="start of validity (default: now)"
    )


def _dev_cert(args: argparse.Namespace) -> int:
    from kzdocs.sign import dev_cert

    password = os.environ.get(PASSWORD_VARIABLE, "test")
    material = dev_cert(
        args.output, subject_name=args.name, iin=args.iin, bin=args.bin, key=args.key,
        days=args.days, password=password, not_before=args.valid_from,
    )  # fmt: skip
    info = material.info
    print(f"wrote {args.output}: TEST certificate, not for real documents")
    print(f"  subject: {info.subject}\n  serial:  {info.serial}")
    print(f"  valid:   {info.not_before:%Y-%m-%d} – {info.not_after:%Y-%m-%d}")
    if PASSWORD_VARIABLE not in os.environ:
        print(f"  password: test (set ${PASSWORD_VARIABLE} to choose one)")
    return EXIT_OK
