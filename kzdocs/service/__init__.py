"""The back-office service: `kzdocs serve`, API version 1 over a fixed pool of render workers.

`create_app(ServiceSettings(...))` is the ASGI application, for those who run it under their own
server; its workers start and stop with the application's lifespan.
"""

from __future__ import annotations

from importlib import import_module

# Imported on first use: a render worker imports this package, and must not load FastAPI.
_EXPORTS = {"create_app": "kzdocs.service.app", "ServiceSettings": "kzdocs.service.settings"}

__all__ = ["ServiceSettings", "create_app"]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kzdocs.service' has no attribute {name!r}")
    return getattr(import_module(module), name)
