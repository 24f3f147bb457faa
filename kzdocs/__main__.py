"""`python -m kzdocs`."""

import sys

from kzdocs.cli import run

sys.exit(run())
