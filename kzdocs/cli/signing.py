"""Commands and options of the transport signature: --sign, verify, extract-xml, dev-cert."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kzdocs.cli.common import EXIT_OK, EXIT_USAGE, command, config_of, write_output
from kzdocs.errors import SigningError

if TYPE_CHECKING:
    from kzdocs.batch import SignerSpec

PASSWORD_VARIABLE = "KZDOCS_KEY_PASSWORD"
PASSWORD_FILE_VARIABLE = "KZDOCS_KEY_PASSWORD_FILE"  # for services: a mounted secret


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
    from kzdocs.batch import SignerSpec

    spec = SignerSpec(name, tuple(sorted(options.items())), args.signed_at)
    spec.build()  # fail now, once, on a wrong password or a bad key: not once per document
    return spec


def _option(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise SigningError(f"--signer-option must be KEY=VALUE, got {text!r}")
    return key, {"true": True, "false": False}.get(value, value)


def key_password() -> str | None:
    """The key's password: from the environment, or the file it names, else asked on the
    terminal."""
    if PASSWORD_VARIABLE in os.environ:
        return os.environ[PASSWORD_VARIABLE]
    if PASSWORD_FILE_VARIABLE in os.environ:
        path = Path(os.environ[PASSWORD_FILE_VARIABLE])
        try:
            return path.read_text("utf-8").rstrip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise SigningError(f"${PASSWORD_FILE_VARIABLE}: cannot read {path}: {exc}") from None
    if sys.stdin.isatty():
        return getpass.getpass("key password: ")
    raise SigningError(
        f"the key's password: set ${PASSWORD_VARIABLE} or ${PASSWORD_FILE_VARIABLE}"
        " (no terminal to ask on)"
    )


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
    sub = command(
        commands,
        "verify",
        _verify,
        "check a signed PDF or XML: exit 0 valid (and trusted when anchors are given), "
        "1 invalid or tampered, 2 usage, 3 intact but the signer is not trusted",
    )
    sub.add_argument("file", type=Path, metavar="FILE", help="signed .xml or .pdf")
    sub.add_argument(
        "--trust",
        type=Path,
        action="append",
        metavar="CA.pem",
        help="trust anchor (PEM or DER CA certificate); repeatable; default: verify.trust "
        "of the configuration. Without anchors the signer's identity is not checked",
    )
    sub.add_argument(
        "--revocation",
        action="store_true",
        help="also fetch CRLs / OCSP and refuse a certificate whose status is unknown",
    )
    sub.add_argument("--json", action="store_true", help="print the verdict as JSON")


def _verify(args: argparse.Namespace) -> int:
    from kzdocs.errors import VerificationError
    from kzdocs.sign.verify import verify

    data = _read(args.file)
    try:
        verdict = verify(
            data, config=config_of(args), trust=args.trust, revocation=args.revocation or None
        )
    except VerificationError as exc:  # an unreadable trust anchor: the command was misused
        print(f"kzdocs: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(verdict.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_verdict(verdict)
    return verdict.exit_code


_HEADLINES = {
    0: "VALID",
    1: "INVALID",
    3: "INTACT, BUT THE SIGNER IS NOT TRUSTED",
}


def _print_verdict(verdict) -> None:
    from kzdocs.formatting import ASTANA

    print(f"verdict: {_HEADLINES[verdict.exit_code]}")
    for reason in verdict.reasons:
        print(f"  - {reason}")
    for check in verdict.checks:
        print(f"  ok: {check}")
    info = verdict.certificate
    if info is not None:
        ids = ", ".join(f"{k} {v}" for k, v in (("IIN", info.iin), ("BIN", info.bin)) if v)
        print(f"signer:      {info.subject}{f' ({ids})' if ids else ''}")
        print(f"  SHA-256:   {info.fingerprint}")
        print(f"  serial:    {info.serial}")
        print(f"  issuer:    {info.issuer}")
        print(f"  algorithm: {info.algorithm}")
    if verdict.signed_at is not None:
        moment = verdict.signed_at.astimezone(ASTANA)
        print(f"  signed at: {moment:%d.%m.%Y %H:%M:%S} (Astana time)")
    print(f"trust: {verdict.trust}")


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
    from kzdocs.sign.embedded import read_record_xml
    from kzdocs.sign.record import signed_record
    from kzdocs.xml import from_xml, validate_xml

    limit = config_of(args).verify.max_embedded_bytes
    data = xml = read_record_xml(_read(args.pdf), max_size=limit)  # as embedded, still signed
    record = signed_record(xml)  # a WS-Security envelope holds the record in its Body
    validate_xml(record)
    if args.record:
        record_json = json.dumps(from_xml(record), ensure_ascii=False, indent=2, default=str)
        data = record_json.encode() + b"\n"
        note = "note: the record as embedded, unverified: `kzdocs verify` checks it"
        print(note, file=sys.stderr)
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
    sub.add_argument(
        "--bin", default="150440000013", help="the legal entity's BIN; '' for a person's own key"
    )
    sub.add_argument("--key", choices=("rsa", "ec"), default="rsa")
    sub.add_argument("--days", type=int, default=365)
    sub.add_argument(
        "--valid-from", type=_moment, metavar="ISO-TIME", help="start of validity (default: now)"
    )


def _dev_cert(args: argparse.Namespace) -> int:
    from kzdocs.sign import dev_cert

    password = os.environ.get(PASSWORD_VARIABLE, "test")
    material = dev_cert(
        args.output, subject_name=args.name, iin=args.iin, bin=args.bin or None, key=args.key,
        days=args.days, password=password, not_before=args.valid_from,
        **({} if args.bin else {"organization": None}),  # a person's own key: no entity
    )  # fmt: skip
    info = material.info
    print(f"wrote {args.output}: TEST certificate, not for real documents")
    print(f"  subject: {info.subject}\n  serial:  {info.serial}")
    print(f"  valid:   {info.not_before:%Y-%m-%d} – {info.not_after:%Y-%m-%d}")
    if PASSWORD_VARIABLE not in os.environ:
        print(f"  password: test (set ${PASSWORD_VARIABLE} to choose one)")
    return EXIT_OK
