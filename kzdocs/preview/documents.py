"""The preview's one door into the pipeline: a record prepared once (validated, and signed at
the golden files' pinned time for the signed view), then each language and format from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kzdocs.config import Config
from kzdocs.golden.harness import pinned_time
from kzdocs.prepared import PreparedRecord, prepare
from kzdocs.schema import validate

if TYPE_CHECKING:
    from kzdocs.sign.base import Signer


def prepare_record(
    record: Mapping[str, Any], config: Config, signer: Signer | None = None
) -> PreparedRecord:
    """The record checked against every rule (`ValidationError` lists them), signed if asked,
    at the time the signed golden files use, so the two compare."""
    if signer is None:
        return prepare(record, config=config)
    document = validate(record, config)
    return prepare(document, config=config, signer=signer, signed_at=pinned_time(document))
