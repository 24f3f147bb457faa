"""Checks a lawyer can run after editing templates: nothing missing, nothing unknown, no glyph
the shipped fonts cannot draw.

For every kind and language: the template exists; it renders (with a built-in sample record
that fills every optional field) the 18 numbered fields with their labels from the forms
catalogue; it reads every required record field and no field the schema lacks (found by walking
the Jinja2 syntax tree of the template and everything it extends, imports or includes); both
languages read the same fields; every character of every template is in every shipped font.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes

from kzdocs.config import DEFAULT, Config
from kzdocs.fonts import font_maps
from kzdocs.forms import FIELD_OF_KEY, KINDS, LANGS, REFUSAL_LABELS, field_labels, get_form
from kzdocs.templatefields import Chain, missing_step, record_chains, shown


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the templates, said so a lawyer can find it."""

    kind: str | None  # None: a template every kind shares
    lang: str | None
    field: int | None
    message: str
    template: str | None = None

    def describe(self) -> str:
        """«license-export ru field 5: the label «Заявитель» is missing (ru/…)»."""
        where = " ".join(p for p in (self.kind or "all kinds", self.lang) if p)
        if self.field is not None:
            where += f" field {self.field}"
        tail = f" ({self.template})" if self.template else ""
        return f"{where}: {self.message}{tail}"


def format_problems(problems: list[Problem]) -> str:
    """The text `kzdocs templates check` prints."""
    if not problems:
        return "templates OK: every kind, both languages, all 18 fields, every character drawn"
    lines = [f"{len(problems)} problem(s) in the templates:"]
    lines += [f"  - {problem.describe()}" for problem in problems]
    return "\n".join(lines)


def check_templates(
    template_dir: str | Path | None = None, *, samples: dict[str, dict] | None = None
) -> list[Problem]:
    """Every problem of the templates in `template_dir` (None: the shipped templates).

    A folder may hold only some templates: the others come from the shipped ones, as when
    rendering. `samples` replaces the built-in sample record of a kind.
    """
    from kzdocs.html import environment

    config = Config(templates=Path(template_dir)) if template_dir is not None else DEFAULT
    env = environment(config.templates)
    problems: list[Problem] = []
    for kind in KINDS:
        used: dict[str, set[Chain]] = {}
        for lang in LANGS:
            problems += _template_problems(env, kind, lang, samples or {}, config, used)
        problems += _language_differences(kind, used)
    problems += _font_problems(env)
    problems += _mixed_script_problems(env)
    return problems


def _template_problems(
    env: jinja2.Environment,
    kind: str,
    lang: str,
    samples: dict[str, dict],
    config: Config,
    used: dict[str, set[Chain]],
) -> list[Problem]:
    """The problems of one kind's template in one language; records in `used` what it reads."""
    name = f"{lang}/{kind}.html"
    try:
        env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        return [Problem(kind, lang, None, "the template is missing", name)]
    problems = list(_label_table(env, kind, lang, name))
    try:
        chains = record_chains(env, name, kind, lang)
    except jinja2.TemplateError as exc:
        return [*problems, Problem(kind, lang, None, f"cannot be read: {exc}", name)]
    used[lang] = chains
    problems += _schema_problems(kind, lang, name, chains)
    sample = samples.get(kind) or sample_record(kind)
    problems += _rendered_problems(kind, lang, name, sample, config)
    return problems


# -- what the templates read from the record ----------------------------------------------------


def _schema_problems(kind: str, lang: str, name: str, chains: set[Chain]) -> Iterator[Problem]:
    from kzdocs.schema import MODELS

    model = MODELS[kind]
    for chain in sorted(chains):
        missing = missing_step(model, chain)
        if missing is not None:
            message = f"{shown(chain)}: the {kind} record has no field {missing!r}"
            yield Problem(kind, lang, FIELD_OF_KEY.get(chain[0]), message, name)
    top = {chain[0] for chain in chains if chain}
    for key, info in model.model_fields.items():
        if info.is_required() and key != "kind" and key not in top:
            yield Problem(kind, lang, _field(kind, key),
                          f"the required record field {key!r} is never shown", name)  # fmt: skip


def _language_differences(kind: str, used: dict[str, set[Chain]]) -> Iterator[Problem]:
    if len(used) < 2:
        return
    for lang, other in (("kk", "ru"), ("ru", "kk")):
        for chain in sorted(used[other] - used[lang]):
            yield Problem(kind, lang, _field(kind, chain[0]),
                          f"{shown(chain)} is shown in {other} but not in {lang}",
                          f"{lang}/{kind}.html")  # fmt: skip


def _field(kind: str, key: str) -> int | None:
    """The field number a record key fills on a numbered form (a refusal has none)."""
    return FIELD_OF_KEY.get(key) if get_form(kind).numbered else None


# -- what the templates render ----------------------------------------------------------------


def _label_table(env: jinja2.Environment, kind: str, lang: str, name: str) -> Iterator[Problem]:
    """A kind template's `{% set labels = {1: "…", …} %}` must label all 18 fields."""
    if not get_form(kind).numbered:
        return
    source, _, _ = env.loader.get_source(env, name)
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return  # the render check reports the syntax error with its line
    for node in tree.find_all(nodes.Assign):
        if isinstance(node.target, nodes.Name) and node.target.name == "labels":
            if not isinstance(node.node, nodes.Dict):
                return
            given = {
                pair.key.value: pair.value
                for pair in node.node.items
                if isinstance(pair.key, nodes.Const)
            }
            for number in field_labels(kind):
                if number not in given:
                    yield Problem(kind, lang, number, "the field has no label in `labels`", name)
            return


def _rendered_problems(
    kind: str, lang: str, name: str, sample: dict[str, Any], config: Config
) -> Iterator[Problem]:
    """Render the sample record; every field number and label must be on the page."""
    from lxml import html as lxml_html

    from kzdocs.errors import KzdocsError
    from kzdocs.html import render_html

    try:
        page = lxml_html.document_fromstring(render_html(sample, lang, config=config))
    except KzdocsError as exc:
        yield Problem(kind, lang, None, f"does not render: {exc}", name)
        return
    if not get_form(kind).numbered:
        text = _squeeze(page.text_content())
        for key, label in REFUSAL_LABELS.items():
            if _squeeze(label[lang]) not in text:
                yield Problem(
                    kind, lang, None, f"the label «{label[lang]}» ({key}) is missing", name
                )
        return
    cells: dict[int, list[Any]] = {}
    for cell in page.xpath("//*[@data-field]"):
        number = cell.get("data-field")
        cells.setdefault(int(number) if number.isdigit() else -1, []).append(cell)
    for number, label in field_labels(kind).items():
        found = cells.get(number, [])
        if not found:
            yield Problem(kind, lang, number, "no element with data-field for this field", name)
            continue
        if len(found) > 1:
            yield Problem(kind, lang, number, f"data-field appears {len(found)} times", name)
        shown = " ".join(
            _squeeze(e.text_content())
            for e in found[0].xpath(".//*[contains(@class, 'field-label')]")
        )
        if f"{number}. {_squeeze(label[lang])}" not in shown:
            message = f"the label «{number}. {label[lang]}» is missing; the field shows «{shown}»"
            yield Problem(kind, lang, number, message, name)
    for number in sorted(set(cells) - set(field_labels(kind))):
        yield Problem(kind, lang, number, "data-field is not a field number 1-18", name)


def _squeeze(text: str) -> str:
    return " ".join(text.split())


# -- characters and fonts ------------------------------------------------------------------------


def _font_problems(env: jinja2.Environment) -> Iterator[Problem]:
    """Every character of every template must be in every shipped font (bold text needs bold)."""
    fonts = font_maps()
    for name in env.list_templates(filter_func=lambda n: n.endswith((".html", ".css"))):
        source, _, _ = env.loader.get_source(env, name)
        parts = name.split("/")
        lang = parts[0] if parts[0] in LANGS else None
        kind = parts[-1].removesuffix(".html") if parts[-1].removesuffix(".html") in KINDS else None
        reported: set[str] = set()
        for line_number, line in enumerate(source.splitlines(), start=1):
            for char in line:
                if char in reported or char.isspace():
                    continue
                lacking = [font for font, cmap in fonts.items() if ord(char) not in cmap]
                if lacking:
                    reported.add(char)
                    message = (
                        f"line {line_number}: character {char!r} (U+{ord(char):04X}) "
                        f"is not in the shipped font(s) {', '.join(lacking)}"
                    )
                    yield Problem(kind, lang, None, message, name)


_CYRILLIC = "А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі"
_MIXED_WORD = re.compile(rf"[{_CYRILLIC}A-Za-z]*(?:[{_CYRILLIC}][A-Za-z]|[A-Za-z][{_CYRILLIC}])\w*")


def _mixed_script_problems(env: jinja2.Environment) -> Iterator[Problem]:
    """A Latin letter inside a Cyrillic word («Қазақстан» typed with a Latin `a`) looks right
    and is wrong: searches, sorting and screen readers treat it as another word."""
    for name in env.list_templates(filter_func=lambda n: n.split("/")[0] in LANGS):
        source, _, _ = env.loader.get_source(env, name)
        lang, kind = name.split("/")[0], name.split("/")[-1].removesuffix(".html")
        for line_number, line in enumerate(source.splitlines(), start=1):
            for word in _MIXED_WORD.findall(line):
                latin = "".join(sorted({c for c in word if c.isascii() and c.isalpha()}))
                message = (
                    f"line {line_number}: «{word}» mixes Latin letters ({latin}) into Cyrillic"
                )
                yield Problem(kind if kind in KINDS else None, lang, None, message, name)


# -- sample records ------------------------------------------------------------------------------

_TRADE = {
    "valid_from": "2026-03-02",
    "valid_to": "2027-03-01",
    "contract": {"number": "CN-14/2026", "date": "2026-01-20"},
    "applicant": {"name": "Sample LLP", "id": "150440000013", "address": "Astana"},
    "counterparty": {"name": "Sample Co.", "address": "Urumqi"},
    "route_country": "CN",
    "counterparty_country": "CN",
    "currency": "USD",
    "value": "125000.00",
    "statistical_value": "125000.00",
    "origin_country": "KZ",
    "quantity": "500",
    "supplementary_quantity": {"quantity": "500000", "unit": "166"},
    "unit": "168",
    "goods": {"hs_code": "1001990000", "description": "Wheat"},
    "additional_info": "By rail",
    "issued_on": "2026-03-02",
}
_LICENSE = {"number": "01KZ260010000123", "license_type": "one-time", "basis": ["Certificate 1"]}
_PERMIT = {
    "number": "KZ26000B0391",
    "authorized_person": {
        "full_name": "Sample Person", "position": "Director", "phone": "+7 701 555 18 42",
        "date": "2026-02-28",
    },
}  # fmt: skip
_REFUSAL = {
    "kind": "refusal",
    "number": "04-15/1302",
    "issued_on": "2026-03-16",
    "recipient": {"name": "Sample LLP", "id": "150440000013", "address": "Astana"},
    "application": {"number": "26-0034410", "date": "2026-03-13"},
    "service": "license-import",
    "grounds": [{"code": 1, "details": "Details"}, {"code": 2}],
}


def sample_record(kind: str) -> dict[str, Any]:
    """A valid record of `kind` with every optional field filled, so every part renders."""
    family = get_form(kind).family
    if family == "refusal":
        return dict(_REFUSAL)
    return {"kind": kind, **_TRADE, **(_LICENSE if family == "license" else _PERMIT)}
