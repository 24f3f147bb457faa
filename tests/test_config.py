"""Configuration files: the issuer's names, number patterns, a template folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kzdocs.config import DEFAULT, Config, Issuer, load_config
from kzdocs.errors import ConfigError
from kzdocs.forms import Label

COMMITTEE = {"kk": "САУДА КОМИТЕТІ", "ru": "КОМИТЕТ ТОРГОВЛИ"}


def _config_file(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_issuer_names_from_a_file_replace_only_what_they_name(tmp_path):
    config = load_config(_config_file(tmp_path, {"issuer": {"committee": COMMITTEE}}))
    assert config.issuer.committee == Label("САУДА КОМИТЕТІ", "КОМИТЕТ ТОРГОВЛИ")
    assert config.issuer.ministry == DEFAULT.issuer.ministry


@pytest.mark.parametrize(
    ("committee", "message"),
    [
        ({"kk": "x", "ru": ["x"]}, "issuer.committee.ru: must be a non-empty string, got ['x']"),
        ({"kk": 7, "ru": "x"}, "issuer.committee.kk: must be a non-empty string, got 7"),
        ({"kk": None, "ru": "x"}, "issuer.committee.kk: must be a non-empty string, got None"),
        ({"kk": "x", "ru": " "}, "issuer.committee.ru: must be a non-empty string, got ' '"),
        ({"kk": "", "ru": "x"}, "issuer.committee.kk: must be a non-empty string, got ''"),
        ({"kk": "x"}, "issuer.committee: must be an object with keys kk and ru"),
        ("КОМИТЕТ", "issuer.committee: must be an object with keys kk and ru"),
    ],
)
def test_issuer_names_must_be_non_empty_strings(tmp_path, committee, message):
    path = _config_file(tmp_path, {"issuer": {"committee": committee}})
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_an_issuer_built_in_python_is_checked_too():
    with pytest.raises(ConfigError, match=r"^issuer\.address\.kk: must be a non-empty string"):
        Issuer(address=Label(("Астана",), "Астана"))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"^issuer\.ministry: must be an object with keys"):
        Config(issuer=Issuer(ministry="Министерство"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"issuer": {"chairman": COMMITTEE}}, "issuer.chairman: unknown configuration key"),
        ({"signer": {}}, "signer: unknown configuration key"),
        ({"issuer": []}, "issuer: must be an object"),
        ({"number_patterns": {"fax": "x"}}, "number_patterns: unknown kind 'fax'"),
    ],
)
def test_other_configuration_mistakes_name_their_key(tmp_path, data, message):
    with pytest.raises(ConfigError) as caught:
        load_config(_config_file(tmp_path, data))
    assert str(caught.value) == message
