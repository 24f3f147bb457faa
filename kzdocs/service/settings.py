"""What a deployment chooses about the service: pool size, bounds, signing, the token."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kzdocs.batch import SignerSpec
from kzdocs.config import DEFAULT, Config
from kzdocs.errors import ConfigError

MIB = 1024 * 1024


@dataclass(frozen=True)
class ServiceSettings:
    """The service's bounds and keys; every field has the `kzdocs serve` option of its name."""

    workers: int = os.cpu_count() or 1
    queue: int = 16  # requests that may wait for a worker; beyond that 429
    timeout: float = 30.0  # seconds a render may take before it is answered 504
    max_body: int = MIB
    config: Config = DEFAULT
    signer: SignerSpec | None = None
    require_signature: bool = False
    token: str | None = None  # the bearer token every route but /healthz and /readyz needs
    start_timeout: float = 120.0  # seconds a new worker may take to load fonts and templates
    # A worker is replaced after this many tasks (None: never), as gunicorn's max_requests: a
    # safety net should a library it uses grow; none is known to since the font-name leak fix.
    max_renders: int | None = None

    def __post_init__(self) -> None:
        for name in ("workers", "max_body", "max_renders"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.queue < 0:
            raise ConfigError(f"queue must be 0 or more, got {self.queue}")
        if not self.timeout > 0:
            raise ConfigError(f"timeout must be a positive number of seconds, got {self.timeout}")
        if self.require_signature and self.signer is None:
            raise ConfigError("require_signature needs a signer: give the signing options")
        if self.token is not None and not self.token:
            raise ConfigError("the token is empty")


def read_token(path: Path) -> str:
    """The bearer token in a file (surrounding whitespace dropped), refused when empty."""
    try:
        token = path.read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the token: {exc}") from None
    if not token:
        raise ConfigError(f"{path}: the token file is empty")
    return token
