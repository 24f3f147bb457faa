"""An external signing program for the command signer's tests: XML on stdin, signed XML on stdout.

argv[1] picks the behaviour: sign | fail | sleep | garbage, or a signer gone wrong: other (signs
another record than it was given) | invalid (signs XML that breaks the record's XSD).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def main() -> int:
    mode = sys.argv[1]
    xml = sys.stdin.buffer.read()
    if mode == "fail":
        sys.stderr.write("key store locked: enter the PIN on the token\n")
        return 3
    if mode == "sleep":
        time.sleep(10)
    if mode == "garbage":
        sys.stdout.write("this is not XML")
        return 0
    if mode == "other":
        xml = xml.replace(b"<number>01KZ260010000123<", b"<number>01KZ260010000999<")
    if mode == "invalid":
        end = xml.rindex(b"</")
        xml = xml[:end] + b"<extra>1</extra>" + xml[end:]
    from kzdocs.sign.signers import LocalKeySigner

    signed, _ = LocalKeySigner(FIXTURES / "sign" / "dev-rsa.p12", "test").sign_xml(xml)
    sys.stdout.buffer.write(signed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
