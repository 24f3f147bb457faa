"""The test keys signed renderings are made with: the issuer's transport key for the issued
documents, and each applicant's own key for the applications and permit drafts, which an
applicant signs (kzdocs.sign.applicant).

The applicants' keys live beside the issuer's key, in `applicants/<BIN or IIN>.p12` (same
password): `fixtures/sign/applicants/` holds one for the applicant of every fixture. The
golden files need the very same keys on every run; the preview, which also shows records a
lawyer writes, makes a TEST certificate for an applicant it has no key of.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kzdocs.errors import SigningError
from kzdocs.forms import SIGNED_BY_APPLICANT

if TYPE_CHECKING:
    from kzdocs.schema import Document
    from kzdocs.sign.base import Signer

APPLICANTS = "applicants"  # the folder of the applicants' keys, beside the issuer's key


@dataclass
class SigningKeys:
    """The issuer's signer, and the applicants' found in `folder` (loaded on first use)."""

    issuer: Signer
    folder: Path | None = None
    password: str = "test"
    make_missing: bool = False  # make a TEST certificate for an applicant without a key
    _applicants: dict[str, Signer] = field(default_factory=dict, repr=False)

    def signer_for(self, document: Document) -> Signer:
        """Who signs `document`: the issuer, or for an applicant's form the applicant."""
        from kzdocs.sign.applicant import applicant_mismatch

        if document.kind not in SIGNED_BY_APPLICANT:
            return self.issuer
        applicant = document.applicant.id
        if applicant_mismatch(document.kind, applicant, self.issuer.describe()) is None:
            return self.issuer  # the issuer's test key names this applicant already
        if applicant not in self._applicants:
            self._applicants[applicant] = self._applicant_key(applicant)
        return self._applicants[applicant]

    def _applicant_key(self, applicant: str) -> Signer:
        from kzdocs.sign.signers import LocalKeySigner

        # A validated BIN/IIN is 12 ASCII digits: a safe file name, never a path.
        path = self.folder / f"{applicant}.p12" if self.folder is not None else None
        if path is not None and path.is_file():
            return LocalKeySigner(path, self.password)
        if self.make_missing:
            return LocalKeySigner(applicant_test_key(applicant))
        where = path if path is not None else f"{APPLICANTS}/{applicant}.p12"
        raise SigningError(
            f"no test key of the applicant {applicant}: an applicant's form is signed with the "
            f"applicant's own key; make one with `kzdocs dev-cert {where} "
            f"{dev_cert_options(applicant)}`"
        )


def signing_keys(key: str | os.PathLike[str], password: str, *, make_missing: bool = False):
    """The issuer's PKCS#12/PEM key and the applicants' keys in `applicants/` beside it."""
    from kzdocs.sign.signers import LocalKeySigner

    folder = Path(key).parent / APPLICANTS
    return SigningKeys(LocalKeySigner(key, password), folder, password, make_missing)


def dev_cert_options(applicant: str) -> str:
    """The `kzdocs dev-cert` options of a test certificate of this applicant."""
    from kzdocs.identifiers import is_bin

    return f"--bin {applicant}" if is_bin(applicant) else f"--iin {applicant} --bin ''"


def applicant_test_key(applicant: str):
    """A TEST certificate of the applicant (a BIN: for signing on its behalf; an IIN: the
    person's own), valid long before and after any document date."""
    from kzdocs.identifiers import is_bin
    from kzdocs.sign.certs import dev_cert

    bin_ = applicant if is_bin(applicant) else None
    iin = "900115300013" if bin_ else applicant  # the signing employee of a legal entity
    with tempfile.TemporaryDirectory() as folder:
        return dev_cert(
            Path(folder) / "applicant.p12",
            iin=iin,
            bin=bin_,
            organization=None if bin_ is None else "ТОО «ТЕСТ»",
            days=365 * 40,
            not_before=datetime(2000, 1, 1, tzinfo=UTC),
        )
