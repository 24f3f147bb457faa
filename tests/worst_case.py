"""The worst valid record of every kind: every text at its maximum length, without a space, in
the widest letters, every list at its longest; for the layout tests and bench/worst_case.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kzdocs.forms import FORMS
from kzdocs.schema import MODELS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLES = {
    "license-export": "license-export-wheat",
    "license-import": "license-import-alcohol",
    "permit-export": "permit-export-flour",
    "permit-import": "permit-import-cattle",
    "refusal": "refusal-several-grounds",
    "application-export": "application-export-wheat",
    "application-import": "application-import-alcohol",
    "permit-draft-export": "permit-draft-export-flour",
    "permit-draft-import": "permit-draft-import-cattle",
}


def _longest(model: type, key: str) -> int:
    """The maxLength a field's JSON Schema states (free text is anyOf string / kk-ru object)."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    for part in [schema, *defs.values()]:
        field = part.get("properties", {}).get(key)
        if field and "anyOf" in field:
            return field["anyOf"][0]["maxLength"]
    raise KeyError(key)


def _wide(length: int, lang: str) -> str:
    letter = "Ш" if lang == "ru" else "Ж"  # among the widest letters of the font
    return letter * length


def _text(length: int) -> dict[str, str]:
    return {"kk": _wide(length, "kk"), "ru": _wide(length, "ru")}


def worst_case(kind: str) -> dict[str, Any]:
    """A valid record of `kind` with every text and list at the contract's limits."""
    record = json.loads((FIXTURES / f"{SAMPLES[kind]}.json").read_text(encoding="utf-8"))
    model = MODELS[kind]
    name, address = _longest(model, "name"), _longest(model, "address")
    long = _longest(model, "details" if kind == "refusal" else "description")
    for part in ("applicant", "counterparty", "recipient"):
        if part in record:
            record[part]["name"], record[part]["address"] = _text(name), _text(address)
    if kind == "refusal":
        record["grounds"] = [{"code": code, "details": _text(long)} for code in range(1, 8)]
        return record
    record["goods"]["description"] = _text(long)
    record["additional_info"] = _text(long)
    record["value"] = record["statistical_value"] = "999999999999999.99"
    record["quantity"] = "999999999999999.99999"
    if not FORMS[kind].issued:  # the applicant's own number of the form: any 50 letters
        record["number"] = _wide(
            model.model_json_schema()["properties"]["number"]["maxLength"], "kk"
        )
    if FORMS[kind].family == "license":
        basis = model.model_json_schema()["properties"]["basis"]
        record["basis"] = [_text(basis["items"]["anyOf"][0]["maxLength"])] * basis["maxItems"]
    if "authorized_person" in model.model_fields:
        person = record["authorized_person"]
        person["full_name"], person["position"] = _text(name), _text(name)
    return record
