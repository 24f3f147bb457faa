"""kzdocs: the trade documents of Order No. 51-НҚ (Kazakhstan) in Kazakh and Russian.

>>> import kzdocs
>>> kzdocs.KINDS  # doctest: +NORMALIZE_WHITESPACE
('license-export', 'license-import', 'permit-export', 'permit-import', 'refusal',
 'application-export', 'application-import', 'permit-draft-export', 'permit-draft-import')

Signing lives in `kzdocs.sign` (`get_signer`), verification in `kzdocs.verify` (also
`kzdocs.sign.verify_pdf` and `verify_xml`, the same decision), the
PDF stage's extras in `kzdocs.pdf` (`extract_xml`): both load heavy libraries on first use.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kzdocs.batch import render_files
    from kzdocs.config import Config, Issuer, load_config
    from kzdocs.errors import (
        ApplicantKeyError,
        ConfigError,
        FieldError,
        KzdocsError,
        OutputClashError,
        OutputError,
        RecordFileError,
        RenderError,
        SigningError,
        UnknownKindError,
        UnsupportedFormatError,
        ValidationError,
        VerificationError,
        XmlError,
    )
    from kzdocs.forms import KINDS, LANGS
    from kzdocs.pairs import as_application
    from kzdocs.prepared import PreparedRecord, prepare
    from kzdocs.records import load_record
    from kzdocs.render import FORMATS, render
    from kzdocs.schema import Document, json_schema, validate
    from kzdocs.sign import Signature
    from kzdocs.sign.verify import verify
    from kzdocs.xml import from_xml, to_xml, validate_xml

# Where each public name lives. `import kzdocs` imports none of them: a name is imported when
# first used, so a command (or a host application) pays only for the stages it uses, and the
# kzdocs command tunes its own process before the heavy imports (kzdocs.ownprocess).
_HOMES = {
    "kzdocs.batch": ("render_files",),
    "kzdocs.config": ("Config", "Issuer", "load_config"),
    "kzdocs.errors": (
        "ApplicantKeyError", "ConfigError", "FieldError", "KzdocsError", "OutputClashError",
        "OutputError", "RecordFileError", "RenderError", "SigningError", "UnknownKindError",
        "UnsupportedFormatError", "ValidationError", "VerificationError", "XmlError",
    ),
    "kzdocs.forms": ("KINDS", "LANGS"),
    "kzdocs.pairs": ("as_application",),
    "kzdocs.prepared": ("PreparedRecord", "prepare"),
    "kzdocs.records": ("load_record",),
    "kzdocs.render": ("FORMATS", "render"),
    "kzdocs.schema": ("Document", "json_schema", "validate"),
    "kzdocs.sign": ("Signature",),
    "kzdocs.sign.verify": ("verify",),
    "kzdocs.xml": ("from_xml", "to_xml", "validate_xml"),
}  # fmt: skip
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "FORMATS",
    "KINDS",
    "LANGS",
    "ApplicantKeyError",
    "Config",
    "ConfigError",
    "Document",
    "FieldError",
    "Issuer",
    "KzdocsError",
    "OutputClashError",
    "OutputError",
    "PreparedRecord",
    "RecordFileError",
    "RenderError",
    "Signature",
    "SigningError",
    "UnknownKindError",
    "UnsupportedFormatError",
    "ValidationError",
    "VerificationError",
    "XmlError",
    "as_application",
    "from_xml",
    "json_schema",
    "load_config",
    "load_record",
    "prepare",
    "render",
    "render_files",
    "to_xml",
    "validate",
    "validate_xml",
    "verify",
]

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    """A public name, or a submodule (`kzdocs.schema`), imported on first use."""
    if name in _HOME_OF:
        value = getattr(import_module(_HOME_OF[name]), name)
    elif not name.startswith("_") and find_spec(f"{__name__}.{name}") is not None:
        value = import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        # Importing the submodule kzdocs.render binds it here; `kzdocs.render` is the function.
        if name == "render" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
