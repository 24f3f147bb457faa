"""The preview's one door into the pipeline: a record prepared once (validated, and signed at
the golden files' pinned time for the signed view), then each language and format from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kzdocs.config import Config
from kzdocs.golden.harness import pinned_time
from kzdocs.golden.keys import SigningKeys
from kzdocs.pairs import document_as
from kzdocs.prepared import PreparedRecord, prepare

if TYPE_CHECKING:
    from kzdocs.sign.base import Signer


def prepare_record(
    record: Mapping[str, Any],
    config: Config,
    signer: Signer | SigningKeys | None = None,
    as_: str | None = None,
) -> PreparedRecord:
    """The record (as `as_` asks: "application", the applicant's form of it) checked against
    every rule (`ValidationError` lists them), signed if asked, at the time the signed golden
    files use, so the two compare; `SigningKeys` sign an applicant's form with its key."""
    document = document_as(record, as_, config)
    if signer is None:
        return prepare(document, config=config)
    if isinstance(signer, SigningKeys):
        signer = signer.signer_for(document)
    return prepare(document, config=config, signer=signer, signed_at=pinned_time(document))
