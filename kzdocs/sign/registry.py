"""Finding a signer by name: the built-ins, then third-party ones from the `kzdocs.signers`
entry-point group (a distribution declares `name = "module:factory"`)."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from kzdocs.errors import SigningError
from kzdocs.sign.base import Signer

GROUP = "kzdocs.signers"


def _builtins() -> dict[str, Callable[..., Signer]]:
    from kzdocs.sign.ncanode import NCANodeSigner
    from kzdocs.sign.signers import CommandSigner, LocalKeySigner, NoSigner

    return {
        "none": NoSigner,
        "local": LocalKeySigner,
        "ncanode": NCANodeSigner,
        "command": CommandSigner,
    }


def available_signers() -> tuple[str, ...]:
    """Every signer name `get_signer` accepts, built-in first."""
    names = list(_builtins())
    names += sorted({ep.name for ep in entry_points(group=GROUP)} - set(names))
    return tuple(names)


def get_signer(name: str, **options: Any) -> Signer:
    """The signer called `name`, made with `options` (e.g. key=…, password=…).

    Built-in names win over plugins. Raises `SigningError` for an unknown name, a plugin that
    fails to load, or options the signer does not take.
    """
    builtins = _builtins()
    factory: Callable[..., Any] | None = builtins.get(name)
    if factory is None:
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
