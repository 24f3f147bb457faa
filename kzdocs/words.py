"""The words of the documents as Python needs them — a kind's title, the labels of its fields —
read from the templates that render them, so a lawyer's edit reaches error messages, the JSON
Schema and `kzdocs kinds` without touching Python.

A word is a top-level `{% set name = "…" %}` (or a dict or list of such text) in
`<lang>/words.html` or `<lang>/<kind>.html`. It is read from the template's syntax tree, never
by rendering: only constant text counts, exactly what the template itself prints.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2
from jinja2 import nodes

from kzdocs.forms import LANGS, Label, field_of, get_form

SHARED = "words.html"  # the words every document of a language shares


def template_words(name: str, folder: Path | None = None) -> MappingProxyType[str, Any]:
    """The constant words a template sets at its top level, by name; empty if it has none."""
    from kzdocs.html import environment  # the one place that builds the Jinja2 environment

    env = environment(folder)
    known = _READ.get((env, name))
    if known is not None and known[0]():  # Jinja's own test: the file has not changed since
        return known[1]
    source, _, uptodate = env.loader.get_source(env, name)
    words = _constants(env, source)
    if len(_READ) >= _MAX_READ:
        _READ.clear()
    _READ[(env, name)] = (uptodate or (lambda: False), words)
    return words


# The words of the templates read so far, with the check that they are still current.
_READ: dict[tuple[jinja2.Environment, str], tuple[Callable[[], bool], MappingProxyType]] = {}
_MAX_READ = 256


def kind_words(kind: str, lang: str, folder: Path | None = None) -> MappingProxyType[str, Any]:
    """The words of one kind in one language: its own template's over the shared ones."""
    get_form(kind)
    shared = template_words(f"{lang}/{SHARED}", folder)
    return MappingProxyType({**shared, **template_words(f"{lang}/{kind}.html", folder)})


def title(kind: str, lang: str, folder: Path | None = None) -> str:
    """The title of a kind's document in a language, e.g. «Мотивированный отказ»."""
    return str(kind_words(kind, lang, folder).get("title", ""))


def field_labels(kind: str, lang: str, folder: Path | None = None) -> dict[Any, str]:
    """The labels a kind's template sets: by field number 1–18 for a licence or permit, by
    record key for a refusal (its parts carry no numbers)."""
    labels = kind_words(kind, lang, folder).get("labels", {})
    return dict(labels) if isinstance(labels, dict) else {}


def label_of(kind: str, key: str, folder: Path | None = None) -> tuple[int | None, Label]:
    """The form field number and the kk/ru label of a top-level record key, as an error message
    names it: the template's label without the colon it may end with. (None, empty) if none."""
    try:
        form = get_form(kind)
    except LookupError:
        return None, Label("", "")
    number = field_of(kind, key)
    if form.numbered and number is None:
        return None, Label("", "")
    ref = number if form.numbered else key
    kk, ru = (_bare(field_labels(kind, lang, folder).get(ref, "")) for lang in LANGS)
    return number, Label(kk, ru)


def _bare(label: Any) -> str:
    return re.sub(r"[\s:]+$", "", label) if isinstance(label, str) else ""


@lru_cache(maxsize=64)
def _constants(env: jinja2.Environment, source: str) -> MappingProxyType[str, Any]:
    """Keyed by the source text: an edited template is read again, an unchanged one is not."""
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return MappingProxyType({})  # rendering and `kzdocs templates check` report it
    context = nodes.EvalContext(env)
    found: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, nodes.Assign) and isinstance(node.target, nodes.Name):
            try:
                found[node.target.name] = node.node.as_const(context)
            except nodes.Impossible:
                continue
    return MappingProxyType(found)
