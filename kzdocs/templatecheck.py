"""Checks a lawyer can run after editing templates: nothing missing, nothing unknown, both
languages alike, no glyph the shipped fonts cannot draw. The wording itself is the lawyers':
the golden files are the record of the approved words, not this check.

For every kind and language: the template exists; it gives a title and a label to every field
(1–18 on a licence or permit, every part of a refusal) and a text to every licence type,
operation, state service and ground of refusal; it renders (with a built-in sample record that
fills every optional field) each numbered field once with its number and label; it reads every
required record field and no field the schema lacks (found by walking the Jinja2 syntax tree of
the template and everything it extends, imports or includes); both languages read the same
fields and set the same words; every character of every template is in every shipped font, and
no Cyrillic word hides a Latin letter.
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
from kzdocs.forms import (
    DIRECTIONS,
    GROUNDS,
    KINDS,
    LANGS,
    LICENSE_TYPES,
    REFUSAL_KEYS,
    field_numbers,
    field_of,
    get_form,
)
from kzdocs.templatefields import Chain, missing_step, record_chains, shown
from kzdocs.words import SHARED, template_words


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
        return (
            "templates OK: every kind, both languages, all 18 fields, the same words in kk and "
            "ru, every character drawn"
        )
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
    for lang in LANGS:
        problems += _shared_word_problems(config.templates, lang)
    for kind in KINDS:
        used: dict[str, set[Chain]] = {}
        for lang in LANGS:
            problems += _template_problems(env, kind, lang, samples or {}, config, used)
        problems += _language_differences(kind, used)
    problems += _parity_problems(env)
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
    problems = list(_kind_word_problems(config.templates, kind, lang, name))
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
            yield Problem(kind, lang, _field(kind, chain[0]), message, name)
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
    return field_of(kind, key)


# -- what the templates render ----------------------------------------------------------------


def _kind_word_problems(folder: Path | None, kind: str, lang: str, name: str) -> Iterator[Problem]:
    """A kind's template sets its `title` and `labels` (field number or refusal part → label);
    a refusal's sets the text of every ground of refusal too."""
    words = template_words(name, folder)
    if not _is_text(words.get("title")):
        yield Problem(kind, lang, None, "`title` is not set to a text", name)
    numbered = get_form(kind).numbered
    expected = field_numbers(kind) if numbered else REFUSAL_KEYS
    for key, problem in _keyed_problems(words, "labels", expected):
        yield Problem(kind, lang, key if numbered and isinstance(key, int) else None, problem, name)
    if not numbered:
        for _, problem in _keyed_problems(words, "grounds", GROUNDS):
            yield Problem(kind, lang, None, problem, name)


_SHARED_KEYED = {
    "services": ("A", "B"),
    "operations": DIRECTIONS,
    "license_types": LICENSE_TYPES,
}


def _shared_word_problems(folder: Path | None, lang: str) -> Iterator[Problem]:
    """`<lang>/words.html` names every state service, operation and licence type."""
    name = f"{lang}/{SHARED}"
    try:
        words = template_words(name, folder)
    except jinja2.TemplateNotFound:
        yield Problem(None, lang, None, "the template is missing", name)
        return
    for word, keys in _SHARED_KEYED.items():
        for _, problem in _keyed_problems(words, word, keys):
            yield Problem(None, lang, None, problem, name)


def _keyed_problems(words: Any, word: str, keys: tuple[Any, ...]) -> Iterator[tuple[Any, str]]:
    """`{% set word = {key: "text", …} %}` must give a text to each key, and to no other."""
    given = words.get(word)
    if not isinstance(given, dict):
        yield None, f'`{word}` is not set to a list of texts {{key: "…"}}'
        return
    for key in keys:
        if not _is_text(given.get(key)):
            what = "the field has" if isinstance(key, int) and word == "labels" else f"{key!r} has"
            yield key, f"{what} no text in `{word}`"
    for key in given.keys() - set(keys):
        yield key, f"`{word}` has {key!r}, which is none of {', '.join(map(repr, keys))}"


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _parity_problems(env: jinja2.Environment) -> Iterator[Problem]:
    """Each language's template sets the same words and defines the same macros as the other's:
    a word missing in one language is a document that cannot render, or renders differently."""
    names = {lang: _language_templates(env, lang) for lang in LANGS}
    for lang, other in (("kk", "ru"), ("ru", "kk")):
        for base in sorted(names[other] - names[lang]):
            message = f"the template is missing (there is {other}/{base})"
            yield Problem(_kind_of(base), lang, None, message, f"{lang}/{base}")
        for base in sorted(names[lang] & names[other]):
            own, theirs = _word_names(env, f"{lang}/{base}"), _word_names(env, f"{other}/{base}")
            for word in sorted(theirs - own):
                message = f"{word} is set in {other}/{base} but not here"
                yield Problem(_kind_of(base), lang, None, message, f"{lang}/{base}")


def _kind_of(base: str) -> str | None:
    kind = base.removesuffix(".html")
    return kind if kind in KINDS else None


def _language_templates(env: jinja2.Environment, lang: str) -> set[str]:
    return {name.split("/", 1)[1] for name in env.list_templates() if name.startswith(f"{lang}/")}


def _word_names(env: jinja2.Environment, name: str) -> set[str]:
    """`title`, `labels[5]`, `period()`: the words and macros a template defines."""
    source, _, _ = env.loader.get_source(env, name)
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return set()  # the render check reports the syntax error with its line
    found = {f"{m.name}()" for m in tree.find_all(nodes.Macro)}
    for node in tree.body:
        if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
            found.add(node.target.name)
            if isinstance(node.node, nodes.Dict):
                found |= {
                    f"{node.target.name}[{pair.key.value!r}]"
                    for pair in node.node.items
                    if isinstance(pair.key, nodes.Const)
                }
    return found


def _rendered_problems(
    kind: str, lang: str, name: str, sample: dict[str, Any], config: Config
) -> Iterator[Problem]:
    """Render the sample record; every field number and label must be on the page."""
    from lxml import html as lxml_html

    from kzdocs.errors import KzdocsError
    from kzdocs.html import render_html
    from kzdocs.words import field_labels

    try:
        page = lxml_html.document_fromstring(render_html(sample, lang, config=config))
    except KzdocsError as exc:
        yield Problem(kind, lang, None, f"does not render: {exc}", name)
        return
    labels = field_labels(kind, lang, config.templates)
    if not get_form(kind).numbered:
        text = _squeeze(page.text_content())
        for key, label in labels.items():
            if _is_text(label) and _squeeze(label) not in text:
                yield Problem(kind, lang, None, f"the label «{label}» ({key}) is not shown", name)
        return
    cells: dict[int, list[Any]] = {}
    for cell in page.xpath("//*[@data-field]"):
        number = cell.get("data-field")
        cells.setdefault(int(number) if number.isdigit() else -1, []).append(cell)
    for number in field_numbers(kind):
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
        label = _squeeze(str(labels.get(number, "")))
        if label and f"{number}. {label}" not in shown:
            message = f"the label «{number}. {label}» is not shown; the field shows «{shown}»"
            yield Problem(kind, lang, number, message, name)
    for number in sorted(set(cells) - set(field_numbers(kind))):
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
_PERSON = {
    "authorized_person": {
        "full_name": "Sample Person", "position": "Director", "phone": "+7 701 555 18 42",
        "date": "2026-02-28",
    },
}  # fmt: skip
_PERMIT = {"number": "KZ26000B0391", **_PERSON}
_SUBMITTED = {"number": "26-0034410"}  # an application's or a draft's own number
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
    sample = {"kind": kind, **_TRADE, **(_LICENSE if family == "license" else _PERMIT)}
    if not get_form(kind).issued:  # an application or a permit draft
        sample.update({**_PERSON, **_SUBMITTED})
    return sample
