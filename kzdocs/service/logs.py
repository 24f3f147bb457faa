"""The service's log lines: one JSON object a line, through the service's own loggers.

Nothing here configures logging: a host application decides where these lines go; only the
`kzdocs serve` command itself attaches a handler (`to_stderr`).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

ACCESS = logging.getLogger("kzdocs.service.access")


def json_event(event: str, **fields: object) -> str:
    """`{"event": …, …}`: a log line that log collectors read without a pattern."""
    return json.dumps({"event": event, **fields}, ensure_ascii=False, separators=(",", ":"))


def log_request(**fields: object) -> None:
    """The one line of a request: id, method, route, status, kind, duration, bytes. Callers pass
    no record content (names, IIN/BIN, free text): a log is no place for personal data."""
    if ACCESS.isEnabledFor(logging.INFO):
        ACCESS.info(json_event("request", time=datetime.now(UTC).isoformat(), **fields))


def to_stderr(level: int = logging.INFO) -> None:
    """Send the service's log lines to standard error as they are (for `kzdocs serve` only)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name, at in (("kzdocs.service", level), ("uvicorn.error", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(at)
        logger.propagate = False
