"""Signed by the applicant: an application or a permit draft carries the applicant's own
signature, so its certificate must name the applicant of field 5.

Certificates of the national PKI name their holder in the subject: a person's IIN in
`SERIALNUMBER=IIN…`, and, on a certificate for signing on behalf of a legal entity, the
entity's BIN in `OU=BIN…`. A BIN applicant signs with a certificate of that BIN; an IIN
applicant (a person, an individual entrepreneur) with a personal certificate of that IIN and no
BIN — a certificate naming a BIN signs for that legal entity, not for the person. The issued
documents keep their transport signature, which names the information system, not the
applicant: the rule does not apply to them.
"""

from __future__ import annotations

from typing import Protocol

from kzdocs.forms import SIGNED_BY_APPLICANT
from kzdocs.identifiers import is_bin

RULE = "applicant_signer"


class Holder(Protocol):
    """What a certificate says of its holder (`CertificateInfo` and `Signature` both do)."""

    iin: str | None
    bin: str | None


def applicant_mismatch(kind: str, applicant_id: str, holder: Holder | None) -> str | None:
    """Why a signature by `holder` is not the applicant's own, or None when it is (or when the
    kind is an issued document, signed by the issuer's system).

    >>> from types import SimpleNamespace as Cert
    >>> print(applicant_mismatch("license-export", "150440000013", Cert(iin=None, bin=None)))
    None
    """
    if kind not in SIGNED_BY_APPLICANT:
        return None
    problem = _mismatch(applicant_id, holder)
    if problem is None:
        return None
    from kzdocs.words import label_of

    label = label_of(kind, "applicant")[1].kk or "applicant"
    return (
        f"field 5 ({label}) applicant.id: an {kind} must be signed with the applicant's own "
        f"key (rule {RULE}): {problem}"
    )


def _mismatch(applicant_id: str, holder: Holder | None) -> str | None:
    if holder is None:
        return "the signature names no certificate"
    names = _names(holder)
    if is_bin(applicant_id):
        if holder.bin == applicant_id:
            return None
        return f"the applicant's BIN is {applicant_id}, the certificate names {names}"
    if holder.iin == applicant_id and not holder.bin:
        return None
    if holder.iin == applicant_id:
        return (
            f"the applicant's IIN is {applicant_id}, and the certificate, though of that IIN, "
            f"signs for the legal entity of BIN {holder.bin}"
        )
    return f"the applicant's IIN is {applicant_id}, the certificate names {names}"


def _names(holder: Holder) -> str:
    held = [
        f"{what} {value}" for what, value in (("BIN", holder.bin), ("IIN", holder.iin)) if value
    ]
    if not held:
        return "neither an IIN nor a BIN"
    if not holder.bin:
        return f"no BIN ({held[0]})"
    return " and ".join(held)
