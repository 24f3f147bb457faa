"""kzdocs: the trade documents of Order No. 51-НҚ (Kazakhstan) in Kazakh and Russian."""

from kzdocs.config import Config, Issuer, load_config
from kzdocs.errors import (
    FieldError,
    KzdocsError,
    UnknownKindError,
    ValidationError,
)
from kzdocs.forms import KINDS
from kzdocs.render import FORMATS, LANGS, render
from kzdocs.schema import Document, json_schema, validate

__all__ = [
    "FORMATS",
    "KINDS",
    "LANGS",
    "Config",
    "Document",
    "FieldError",
    "Issuer",
    "KzdocsError",
    "UnknownKindError",
    "ValidationError",
    "json_schema",
    "load_config",
    "render",
    "validate",
]

__version__ = "0.1.0"
