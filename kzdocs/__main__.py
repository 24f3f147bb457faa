"""`python -m kzdocs`."""

import sys

from kzdocs.cli import main

sys.exit(main())
