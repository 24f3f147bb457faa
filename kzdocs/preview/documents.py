"""The preview's one door into the pipeline: a record prepared once, then rendered per language
and format. Today it is `validate` then `render`; the prepared-record API replaces both here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kzdocs.config import Config
from kzdocs.render import render
from kzdocs.schema import Document, validate

if TYPE_CHECKING:
    from kzdocs.sign.base import Signer


def prepare(record: Mapping[str, Any], config: Config) -> Document:
    """The record checked against every rule (`ValidationError` lists them)."""
    return validate(record, config)


def render_document(
    document: Document, lang: str, format: str, config: Config, signer: Signer | None = None
) -> bytes:
    """One rendering; signed at the golden files' pinned time, so it compares with them."""
    if signer is None:
        return render(document, lang=lang, format=format, config=config)
    from kzdocs.golden.harness import pinned_time

    return render(
        document,
        lang=lang,
        format=format,
        config=config,
        signer=signer,
        signed_at=pinned_time(document),
    )
