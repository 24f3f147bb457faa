"""Which record fields a template reads: every attribute chain off `document`, found by walking
the Jinja2 syntax tree of the template and everything it extends, imports or includes, and
whether each chain resolves on the record model of the kind.

`{% if %}` branches that cannot be taken for the kind and language (they test only the form and
the language) are skipped, so a shared template does not count another kind's fields.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import fields as dataclass_fields
from typing import Any

import jinja2
from jinja2 import nodes

from kzdocs.forms import get_form

ROOT = "document"  # the name templates receive the record under (kzdocs.html)
ITEM = "[]"  # a chain step into the items of a list

Chain = tuple[str, ...]


def shown(chain: Chain) -> str:
    """`document.basis[]`: a chain as a template author writes it."""
    return ".".join((ROOT, *chain)).replace(f".{ITEM}", "[]")


def record_chains(env: jinja2.Environment, name: str, kind: str, lang: str) -> set[Chain]:
    """Every attribute chain off `document` in the template and the templates it uses."""
    known = {"form": get_form(kind), "lang": lang}
    chains: set[Chain] = set()
    seen: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current not in seen:
            seen.add(current)
            source, _, _ = env.loader.get_source(env, current)
            pending += _read_template(env.parse(source), known, chains)
    return chains


def _read_template(tree: nodes.Template, known: dict[str, Any], chains: set[Chain]) -> list[str]:
    """Add the chains one template reads to `chains`; return the templates it uses."""
    aliases: dict[str, Chain] = {ROOT: ()}
    used = []
    for node in _walk(tree, known):
        if isinstance(node, nodes.Extends | nodes.Include | nodes.Import | nodes.FromImport):
            target = _static(node.template, known)
            if isinstance(target, str):
                used.append(target)
        elif isinstance(node, nodes.Assign | nodes.For):
            _alias(node, aliases)
        elif isinstance(node, nodes.Getattr):
            chain = _chain(node, aliases)
            if chain:
                chains.add(chain)
    return used


_UNKNOWN = object()


def _walk(node: nodes.Node, known: dict[str, Any]) -> Iterator[nodes.Node]:
    """All nodes, skipping `{% if %}` branches that cannot be taken for this kind and language."""
    yield node
    if isinstance(node, nodes.If):
        taken = _static(node.test, known)
        if taken is not _UNKNOWN:
            branches = [node.body] if taken else [*([e] for e in node.elif_), node.else_]
            for branch in branches:
                for child in branch:
                    yield from _walk(child, known)
            return
    for child in node.iter_child_nodes():
        yield from _walk(child, known)


def _static(node: nodes.Node, known: dict[str, Any]) -> Any:
    """The value of an expression that depends only on the form and language, else _UNKNOWN."""
    if isinstance(node, nodes.Const):
        return node.value
    if isinstance(node, nodes.Name):
        return known.get(node.name, _UNKNOWN)
    if isinstance(node, nodes.Getattr):
        value = _static(node.node, known)
        return _UNKNOWN if value is _UNKNOWN else getattr(value, node.attr, _UNKNOWN)
    if isinstance(node, nodes.Concat):
        parts = [_static(n, known) for n in node.nodes]
        return _UNKNOWN if _UNKNOWN in parts else "".join(map(str, parts))
    if isinstance(node, nodes.Not):
        value = _static(node.node, known)
        return _UNKNOWN if value is _UNKNOWN else not value
    if isinstance(node, nodes.Compare) and len(node.ops) == 1:
        left, right = _static(node.expr, known), _static(node.ops[0].expr, known)
        compare = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b,
                   "in": lambda a, b: a in b, "notin": lambda a, b: a not in b}  # fmt: skip
        op = compare.get(node.ops[0].op)
        if op is None or _UNKNOWN in (left, right):
            return _UNKNOWN
        return op(left, right)
    return _UNKNOWN


def _alias(node: nodes.Assign | nodes.For, aliases: dict[str, Chain]) -> None:
    """`{% set person = document.authorized_person %}`, `{% for b in document.basis %}`."""
    target, value = node.target, node.node if isinstance(node, nodes.Assign) else node.iter
    if not isinstance(target, nodes.Name):
        return
    chain = _chain(value, aliases) if isinstance(value, nodes.Getattr) else None
    if chain is None and isinstance(value, nodes.Name) and value.name in aliases:
        chain = aliases[value.name]
    if chain is not None:
        aliases[target.name] = (*chain, ITEM) if isinstance(node, nodes.For) else chain


def _chain(node: nodes.Getattr, aliases: dict[str, Chain]) -> Chain | None:
    attrs: list[str] = []
    current: nodes.Node = node
    while isinstance(current, nodes.Getattr):
        attrs.append(current.attr)
        current = current.node
    if isinstance(current, nodes.Name) and current.name in aliases:
        return (*aliases[current.name], *reversed(attrs))
    return None


def missing_step(model: type, chain: Chain) -> str | None:
    """The first step of `chain` the type has no attribute for, or None if all resolve."""
    current: Any = model
    for step in chain:
        current = _unwrap(current)
        if step == ITEM:
            args = typing.get_args(current)
            if typing.get_origin(current) is not list or not args:
                return step
            current = args[0]
        elif hasattr(current, "model_fields") and step in current.model_fields:
            current = current.model_fields[step].annotation
        elif hasattr(current, "__dataclass_fields__") and step in {
            f.name for f in dataclass_fields(current)
        }:
            current = typing.get_type_hints(current).get(step, Any)
        elif isinstance(current, type) and hasattr(current, step):
            return None  # a method or property (`split`, `form`): nothing further to check
        else:
            return None if current is Any else step
    return None


def _unwrap(annotation: Any) -> Any:
    """`Contract | None` → Contract, `Annotated[Text, …]` → Text, `Literal["a"]` → str."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(options[0]) if len(options) == 1 else Any
    if origin is typing.Literal:
        return type(typing.get_args(annotation)[0])
    return annotation
