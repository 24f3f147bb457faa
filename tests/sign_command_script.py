"""An external signing program for the command signer's tests: XML on stdin, signed XML on stdout.

argv[1] picks the behaviour: sign | fail | sleep | garbage.
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
    from kzdocs.sign.signers import LocalKeySigner

    signed, _ = LocalKeySigner(FIXTURES / "sign" / "dev-rsa.p12", "test").sign_xml(xml)
    sys.stdout.buffer.write(signed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
