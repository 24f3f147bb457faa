"""The PDF stage: HTML that follows the kzdocs HTML contract → PDF/A-3b with the record's
canonical XML embedded, shipped fonts only, nothing fetched, identical bytes for identical input."""

import warnings

with warnings.catch_warnings():
    # WeasyPrint warns at import when the HarfBuzz-subset library is missing (it then subsets
    # fonts with fontTools, slower, to the same text); tests turn warnings into errors.
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
    import weasyprint  # noqa: F401

from kzdocs.pdf.engine import PdfEngine, default_engine, render_pdf
from kzdocs.pdf.meta import PdfMeta
from kzdocs.pdf.pdfa import XML_NAME, extract_xml

__all__ = ["XML_NAME", "PdfEngine", "PdfMeta", "default_engine", "extract_xml", "render_pdf"]
