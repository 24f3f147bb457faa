"""Configuration: who issues the documents, stricter number patterns, a template folder.

Ministries get renamed, so the issuer's names and address are configuration whose defaults are
the FORMS.md wording. A configuration file is JSON:

    {"issuer": {"committee": {"kk": "…", "ru": "…"}}, "number_patterns": {"license-export": "…"}}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kzdocs.errors import ConfigError
from kzdocs.forms import KINDS, Label


@dataclass(frozen=True)
class Issuer:
    """The issuing body as the documents name it."""

    committee: Label = Label(
        "ҚАЗАҚСТАН РЕСПУБЛИКАСЫ САУДА ЖӘНЕ ИНТЕГРАЦИЯ МИНИСТРЛІГІНІҢ САУДА КОМИТЕТІ",
        "КОМИТЕТ ТОРГОВЛИ МИНИСТЕРСТВА ТОРГОВЛИ И ИНТЕГРАЦИИ РЕСПУБЛИКИ КАЗАХСТАН",
    )
    ministry: Label = Label(
        "Қазақстан Республикасының Сауда және интеграция министрлігі",
        "Министерство торговли и интеграции Республики Казахстан",
    )
    address: Label = Label(
        "Астана қ., Мәңгілік Ел даңғылы, 8", "г. Астана, проспект Мангилик Ел, 8"
    )

    def __post_init__(self) -> None:
        # The names go onto every page as they are: a list or a number would print as "['x']".
        for name in (f.name for f in fields(self)):
            label = getattr(self, name)
            if not isinstance(label, Label):
                raise ConfigError(f"issuer.{name}: must be an object with keys kk and ru")
            for lang in ("kk", "ru"):
                value = label[lang]
                if not isinstance(value, str) or not value.strip():
                    raise ConfigError(
                        f"issuer.{name}.{lang}: must be a non-empty string, got {value!r}"
                    )


@dataclass(frozen=True)
class VerifySettings:
    """How `kzdocs verify` decides: trust anchors, revocation, size bounds, signer pairings."""

    trust: tuple[Path, ...] = ()  # PEM/DER files of the CA certificates trusted as anchors
    revocation: bool = False  # fetch CRL/OCSP and refuse a certificate whose status is unknown
    max_embedded_bytes: int = 1 << 20  # record.xml larger than this is refused unread
    max_pdf_bytes: int = 32 << 20
    # (XML signer, PDF signer) SHA-256 fingerprints allowed to differ: NCANode's transport key
    pairings: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        for name in ("max_embedded_bytes", "max_pdf_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                message = f"must be a positive number of bytes, got {value!r}"
                raise ConfigError(f"verify.{name}: {message}")


@dataclass(frozen=True)
class Config:
    """Everything a deployment may change without touching templates or code."""

    issuer: Issuer = Issuer()
    number_patterns: dict[str, str] = field(default_factory=dict)
    templates: Path | None = None
    verify: VerifySettings = VerifySettings()
    # Language-content fields (goods, additional information, basis, ground details, the
    # authorised person's position) must give {"kk": …, "ru": …}, never one string for both.
    strict_languages: bool = False

    def __post_init__(self) -> None:
        for kind, pattern in self.number_patterns.items():
            if kind not in KINDS:
                raise ConfigError(f"number_patterns: unknown kind {kind!r}")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(
                    f"number_patterns.{kind}: not a regular expression: {exc}"
                ) from None
        if self.templates is not None and not Path(self.templates).is_dir():
            raise ConfigError(f"templates: {str(self.templates)!r} is not a folder")


DEFAULT = Config()


def load_config(path: str | Path) -> Config:
    """A configuration read from a JSON file; unknown keys are errors."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a configuration must be a JSON object")
    return _config_from(data, Path(path).parent)


def _config_from(data: dict[str, Any], base: Path) -> Config:
    _only_keys(data, {"issuer", "number_patterns", "templates", "verify", "strict_languages"}, "")
    issuer = _issuer_from(data.get("issuer", {}))
    patterns = data.get("number_patterns", {})
    if not isinstance(patterns, dict) or not all(isinstance(v, str) for v in patterns.values()):
        raise ConfigError("number_patterns: must map kinds to regular expressions")
    templates = data.get("templates")
    verify = _verify_from(data.get("verify", {}), base)
    strict = data.get("strict_languages", False)
    if not isinstance(strict, bool):
        raise ConfigError(f"strict_languages: must be true or false, got {strict!r}")
    folder = base / templates if templates else None
    return Config(issuer, dict(patterns), folder, verify, strict_languages=strict)


def _verify_from(data: Any, base: Path) -> VerifySettings:
    if not isinstance(data, dict):
        raise ConfigError("verify: must be an object")
    _only_keys(data, {f.name for f in fields(VerifySettings)}, "verify.")
    trust = data.get("trust", [])
    if not isinstance(trust, list) or not all(isinstance(t, str) for t in trust):
        raise ConfigError("verify.trust: must be a list of certificate file names")
    if not isinstance(data.get("revocation", False), bool):
        raise ConfigError("verify.revocation: must be true or false")
    pairs = data.get("pairings", [])
    if not isinstance(pairs, list) or not all(
        isinstance(p, dict) and set(p) == {"xml", "pdf"} for p in pairs
    ):
        raise ConfigError('verify.pairings: must be a list of {"xml": SHA-256, "pdf": SHA-256}')
    sizes = {k: data[k] for k in ("max_embedded_bytes", "max_pdf_bytes") if k in data}
    return VerifySettings(
        trust=tuple(base / t for t in trust),
        revocation=data.get("revocation", False),
        pairings=tuple((str(p["xml"]), str(p["pdf"])) for p in pairs),
        **sizes,
    )


def _issuer_from(data: Any) -> Issuer:
    if not isinstance(data, dict):
        raise ConfigError("issuer: must be an object")
    names = {f.name for f in fields(Issuer)}
    _only_keys(data, names, "issuer.")
    labels = {}
    for key, value in data.items():
        if not (isinstance(value, dict) and set(value) == {"kk", "ru"}):
            raise ConfigError(f"issuer.{key}: must be an object with keys kk and ru")
        labels[key] = Label(value["kk"], value["ru"])
    return replace(Issuer(), **labels)


def _only_keys(data: dict[str, Any], allowed: set[str], prefix: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(f"{prefix}{unknown[0]}: unknown configuration key")
