"""Finding a signer by name: the built-ins, then third-party ones from the `kzdocs.signers`
entry-point group (a distribution declares `name = "module:factory"`)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from kzdocs.errors import SigningError
from kzdocs.sign.base import Signer

GROUP = "kzdocs.signers"

# Where each built-in lives: only the one asked for is imported (NCANode's HTTP client is not
# loaded to sign with a local key), and no entry point is read for a built-in name.
_BUILTINS = {
    "none": ("kzdocs.sign.signers", "NoSigner"),
    "local": ("kzdocs.sign.signers", "LocalKeySigner"),
    "ncanode": ("kzdocs.sign.ncanode", "NCANodeSigner"),
    "command": ("kzdocs.sign.signers", "CommandSigner"),
}


def _builtin(name: str) -> Callable[..., Signer]:
    module, attribute = _BUILTINS[name]
    return getattr(importlib.import_module(module), attribute)


def available_signers() -> tuple[str, ...]:
    """Every signer name `get_signer` accepts, built-in first."""
    from importlib.metadata import entry_points

    names = list(_BUILTINS)
    names += sorted({ep.name for ep in entry_points(group=GROUP)} - set(names))
    return tuple(names)


def get_signer(name: str, **options: Any) -> Signer:
    """The signer called `name`, made with `options` (e.g. key=…, password=…).

    Built-in names win over plugins. Raises `SigningError` for an unknown name, a plugin that
    fails to load, or options the signer does not take.
    """
    factory: Callable[..., Any]
    if name in _BUILTINS:
        factory = _builtin(name)
    else:
        from importlib.metadata import entry_points

        found = [ep for ep in entry_points(group=GROUP) if ep.name == name]
        if not found:
            raise SigningError(
                f"unknown signer {name!r}; available: {', '.join(available_signers())}"
            )
        try:
            factory = found[0].load()
        except Exception as exc:  # a broken plugin must not take the caller down with it
            raise SigningError(
                f"signer plugin {name!r} ({found[0].value}) failed to load: {exc}"
            ) from exc
    try:
        signer = factory(**options)
    except TypeError as exc:
        raise SigningError(f"signer {name!r} does not take these options: {exc}") from exc
    if not isinstance(signer, Signer):
        raise SigningError(f"signer {name!r} does not implement sign_xml/sign_pdf/describe")
    return signer
