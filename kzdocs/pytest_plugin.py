"""pytest plugin (entry point `pytest11`): golden-file checks for a back office's own tests.

    def test_export_licence(kzdocs_golden):
        kzdocs_golden.check("records/wheat.json", lang="ru", format="pdf")

compares the rendering with `<kzdocs_golden_dir>/wheat/ru.pdf` (ini option, default
`tests/golden`) and fails with the changed words; `pytest --update-golden` writes the new
renderings instead. kzdocs itself is imported only when the fixture is used, so the plugin costs
nothing in test runs that do not use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from kzdocs.config import Config
    from kzdocs.schema import Document
    from kzdocs.sign.base import Signer

_UPDATED = pytest.StashKey[list[Path]]()
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_DIFF_LINES = 60


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kzdocs", "kzdocs golden files")
    group.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="write kzdocs renderings as the new golden files instead of comparing with them",
    )
    parser.addini(
        "kzdocs_golden_dir",
        "folder of the golden files kzdocs_golden compares with, relative to the rootdir",
        default="tests/golden",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_UPDATED] = []


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    updated = config.stash.get(_UPDATED, [])
    if updated:
        terminalreporter.section("kzdocs golden files updated")
        for path in updated:
            terminalreporter.line(str(path))


class GoldenFiles:
    """Renders records and compares them with golden files under `root`."""

    def __init__(self, root: Path, *, update: bool, default_name: str, updated: list[Path]):
        self.root = root
        self.update = update
        self.default_name = default_name
        self.updated = updated

    def path(self, name: str, lang: str, format: str, variant: str | None = None) -> Path:
        """Where the golden file of `name` in `lang` and `format` lives."""
        from kzdocs.errors import ConfigError
        from kzdocs.golden import golden_name

        if not _NAME.fullmatch(name) or ".." in name:
            raise ConfigError(f"golden name must be letters, digits, '_', '.', '-', got {name!r}")
        return self.root / name / golden_name(None if format == "xml" else lang, format, variant)

    def check(
        self,
        record: Mapping[str, Any] | Document | str | Path,
        *,
        lang: str = "kk",
        format: str = "html",
        name: str | None = None,
        config: Config | None = None,
        signer: Signer | None = None,
        signed_at: datetime | None = None,
        as_: str | None = None,
    ) -> bytes:
        """Render `record` (a record, a Document or a JSON file) and compare with its golden file.

        The golden name defaults to the file's stem (`STEM.application` rendered with
        `as_="application"`, as its applicant's form), else to the test's name. Fails the test
        with the changed words; with `--update-golden`, writes the rendering instead. Returns
        the rendered bytes.
        """
        from kzdocs.config import DEFAULT
        from kzdocs.records import load_record
        from kzdocs.render import render

        if isinstance(record, str | Path):
            name = name or Path(record).stem + (f".{as_}" if as_ else "")
            record = load_record(record)
        golden = self.path(name or self.default_name, lang, format, "signed" if signer else None)
        data = render(record, lang=lang, format=format, config=config or DEFAULT, as_=as_,
                      **_signing(record, config or DEFAULT, signer, signed_at, as_))  # fmt: skip
        if self.update:
            self._write(golden, data)
        else:
            self._compare(golden, data, format)
        return data

    def _write(self, golden: Path, data: bytes) -> None:
        from kzdocs.golden.harness import write_changed

        if write_changed(golden, data):
            self.updated.append(golden)

    def _compare(self, golden: Path, data: bytes, format: str) -> None:
        from kzdocs.golden import compare
        from kzdocs.golden.console import diff_excerpt

        expected = golden.read_bytes() if golden.is_file() else None
        status, text, _ = compare(expected, data, format)
        if status == "new":
            pytest.fail(
                f"no golden file {golden}: run pytest --update-golden to create it", pytrace=False
            )
        if status == "changed":
            shown = "\n".join(diff_excerpt(text.diff, _DIFF_LINES))
            words = text.summary() if text.changed else "layout only: the text is the same"
            pytest.fail(
                f"{golden} differs from the new rendering: {words}\n{shown}\n"
                "approve the change with pytest --update-golden",
                pytrace=False,
            )


def _signing(
    record: Any,
    config: Config,
    signer: Signer | None,
    signed_at: datetime | None,
    as_: str | None = None,
) -> dict[str, Any]:
    if signer is None:
        return {}
    if signed_at is None:
        # A pinned signing time keeps signed golden files byte-stable.
        from kzdocs.golden.harness import pinned_time
        from kzdocs.pairs import document_as

        signed_at = pinned_time(document_as(record, as_, config))
    return {"signer": signer, "signed_at": signed_at}


@pytest.fixture
def kzdocs_golden(request: pytest.FixtureRequest) -> GoldenFiles:
    """Compare kzdocs renderings with golden files (`--update-golden` to approve changes)."""
    config = request.config
    root = Path(config.rootpath) / config.getini("kzdocs_golden_dir")
    default_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-.") or "document"
    return GoldenFiles(
        root,
        update=config.getoption("update_golden"),
        default_name=default_name,
        updated=config.stash[_UPDATED],
    )
