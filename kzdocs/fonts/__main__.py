"""`python -m kzdocs.fonts`: record the cuts of the shipped fonts (kzdocs/fonts/cuts.json)
after changing how they are cut (ranges, options, the pinned fontTools)."""

import json
from importlib.resources import files
from pathlib import Path

from kzdocs.pdf.fonts import FONT_PACKAGE, RECORD, record_cuts

target = Path(str(files(FONT_PACKAGE).joinpath(RECORD)))
target.write_text(json.dumps(record_cuts(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
print(f"recorded {target}")
