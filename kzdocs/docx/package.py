"""A normalised DOCX zip: same parts in, same bytes out."""

from __future__ import annotations

import io
import zipfile

# The earliest time a zip entry can carry; nothing in the package depends on the clock.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 6


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with sorted members, fixed timestamps, attributes and compression.

    Sorting by name keeps [Content_Types].xml first ('[' sorts before '_' and lower case), where
    some readers expect it.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = sorted((info.filename, source.read(info)) for info in source.infolist())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, blob in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, blob, compresslevel=COMPRESS_LEVEL)
    return out.getvalue()
