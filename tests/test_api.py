"""The public API: what `import kzdocs` offers."""

import json
from pathlib import Path

import pytest

import kzdocs

WHEAT = Path(__file__).resolve().parent.parent / "fixtures" / "license-export-wheat.json"


def _isort_style(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions, each group alphabetical (ruff's RUF022)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_complete():
    assert kzdocs.__all__ == sorted(kzdocs.__all__, key=_isort_style)
    assert all(hasattr(kzdocs, name) for name in kzdocs.__all__)


def test_validate_returns_an_immutable_document():
    document = kzdocs.validate(json.loads(WHEAT.read_text(encoding="utf-8")))
    assert document.goods.hs_code == "1001990000"
    with pytest.raises(ValueError, match="frozen"):
        document.number = "X"


def test_validation_error_is_a_value_error_listing_every_rule():
    with pytest.raises(ValueError) as caught:
        kzdocs.validate({"kind": "refusal"})
    error = caught.value
    assert isinstance(error, kzdocs.ValidationError) and isinstance(error, kzdocs.KzdocsError)
    assert {e.path for e in error.errors} == {
        "number",
        "issued_on",
        "recipient",
        "application",
        "service",
        "grounds",
    }


@pytest.mark.parametrize(("lang", "format"), [("en", "html"), ("kk", "odt")])
def test_render_refuses_unknown_language_or_format_before_any_work(lang, format):
    with pytest.raises(kzdocs.KzdocsError, match="must be one of"):
        kzdocs.render({}, lang=lang, format=format)
