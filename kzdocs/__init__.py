"""kzdocs: the trade documents of Order No. 51-НҚ (Kazakhstan) in Kazakh and Russian.

>>> import kzdocs
>>> kzdocs.KINDS  # doctest: +NORMALIZE_WHITESPACE
('license-export', 'license-import', 'permit-export', 'permit-import', 'refusal',
 'application-export', 'application-import', 'permit-draft-export', 'permit-draft-import')

Signing lives in `kzdocs.sign` (`get_signer`), verification in `kzdocs.verify` (also
`kzdocs.sign.verify_pdf` and `verify_xml`, the same decision), the
PDF stage's extras in `kzdocs.pdf` (`extract_xml`): both load heavy libraries on first use.
"""

from kzdocs.batch import render_files
from kzdocs.config import Config, Issuer, load_config
from kzdocs.errors import (
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
from kzdocs.prepared import PreparedRecord, prepare
from kzdocs.records import load_record
from kzdocs.render import FORMATS, render
from kzdocs.schema import Document, json_schema, validate
from kzdocs.sign import Signature
from kzdocs.sign.verify import verify
from kzdocs.xml import from_xml, to_xml, validate_xml

__all__ = [
    "FORMATS",
    "KINDS",
    "LANGS",
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
