"""The HTML stage: a Document becomes one self-contained HTML page through the Jinja2 template
`<lang>/<kind>.html`, with values formatted per language and the signature in field 18.

This module is the one place that builds the Jinja2 environment: sandboxed, autoescaping on,
undefined names are errors, and templates come first from the user's folder
(`Config.templates`), then from the shipped `kzdocs.templates` package. Record data is only
ever passed to templates as values, so the engine escapes it and never evaluates it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from html import unescape
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from kzdocs import formatting, ownprocess
from kzdocs.config import DEFAULT, Config
from kzdocs.errors import TemplateError
from kzdocs.schema import Document, validate
from kzdocs.sign import Signature
from kzdocs.sign.qr import qr_data_uri
from kzdocs.templatecache import CompiledTemplates

SHIPPED = "kzdocs.templates"


def render_html(
    document: Document | Mapping[str, Any],
    lang: str,
    *,
    config: Config = DEFAULT,
    signature: Signature | None = None,
) -> str:
    """The document as HTML in the language ('kk' or 'ru'); a draft (marked ҚОЛ ҚОЙЫЛМАҒАН /
    НЕ ПОДПИСАН) unless a signature is given.

    Raises `UnsupportedFormatError` for another language, `TemplateError` naming the file when
    a template is missing or fails, `ValidationError` when given a raw record that is invalid.
    """
    formatting.check_lang(lang)
    document = validate(document, config)
    name = template_name(document.kind, lang)
    env = environment(config.templates)
    context = {
        "document": document,
        "form": document.form,
        "issuer": config.issuer,
        "lang": lang,
        "signature": signature,
    }
    try:
        return breakable(env.get_template(name).render(context))
    except jinja2.TemplateNotFound as exc:
        missing = exc.name or name
        raise TemplateError(
            f"template {missing!r} not found in {_where(config.templates)}", missing
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        where = exc.name or name
        raise TemplateError(
            f"template {where!r}, line {exc.lineno}: {exc.message}", where, exc.lineno
        ) from None
    except jinja2.exceptions.SecurityError as exc:
        where, line = _template_line(exc, name)
        raise TemplateError(
            f"template {where!r}, line {line}: refused by the sandbox: {exc}", where
        ) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"template {name!r} failed to render: {exc}", name) from exc


def page_title(html: str) -> str:
    """The text of a rendered page's <title>: the title its template gives the document, which
    the PDF and DOCX properties carry too."""
    found = _TITLE.search(html)
    return unescape(" ".join(found.group(1).split())) if found else ""


# An HTML title holds text only (no tags), its character references decoded.
_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL | re.IGNORECASE)


def _template_line(exc: BaseException, name: str) -> tuple[str, int | None]:
    """The template file and line an error was raised at: Jinja puts template frames, with
    the template's file name and line, into the traceback."""
    where, line = name, None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".css")) or filename == "<template>":
            where, line = filename, tb.tb_lineno
        tb = tb.tb_next
    return where, line


# Text between tags (never inside one: attribute values such as data URIs stay whole), and in
# it a run of 60 characters that offers no line break (a 40-digit certificate serial is left as
# it is: the stylesheet wraps short runs, only long ones are slow).
_TEXT_NODE = re.compile(r">([^<]+)<")
_UNBROKEN = re.compile(r"[^\s<>&\u200b]{60,}")
_CHUNK = 20


def breakable(html: str) -> str:
    """The page with a zero-width space every 20 characters of a long unbroken run of text.

    The print CSS wraps such runs anyway (`overflow-wrap: anywhere`), but WeasyPrint lays out
    what is left of a run once per line it fills: 4 000 letters without a space cost seconds,
    with break opportunities milliseconds. A zero-width space is invisible, and the text
    extracted from the PDF does not show it.
    """
    return _TEXT_NODE.sub(lambda node: ">" + _UNBROKEN.sub(_chunked, node[1]) + "<", html)


def _chunked(run: re.Match[str]) -> str:
    text = run[0]
    return "\u200b".join(text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK))


def template_name(kind: str, lang: str) -> str:
    """The template that words a kind in a language, e.g. 'kk/license-export.html'."""
    return f"{lang}/{kind}.html"


@lru_cache(maxsize=16)
def environment(folder: Path | None = None) -> jinja2.Environment:
    """The Jinja2 environment for a user template folder (None: shipped templates only)."""
    loaders: list[jinja2.BaseLoader] = []
    if folder is not None:
        loaders.append(jinja2.FileSystemLoader(str(folder), encoding="utf-8"))
    loaders.append(ShippedLoader())
    # Sandboxed, the shipped templates too: template folders are edited by people, and a
    # template must not reach Python's internals (`cycler.__init__.__globals__.os`).
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(_filters())
    cache = ownprocess.template_cache_folder()  # kzdocs' own processes only
    if cache is not None:
        env.bytecode_cache = CompiledTemplates(cache, env)
    return env


class ShippedLoader(jinja2.BaseLoader):
    """Templates shipped in the `kzdocs.templates` package, read with importlib.resources."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool]]:
        resource: Traversable = files(SHIPPED)
        for part in split_template_path(template):
            resource = resource.joinpath(part)
        if not resource.is_file():
            raise jinja2.TemplateNotFound(template)
        source = resource.read_text(encoding="utf-8")
        if isinstance(resource, Path):
            # An editable install serves the repository's files: reload them when edited.
            return source, str(resource), _unchanged_since(resource)
        return source, None, lambda: True

    def list_templates(self) -> list[str]:
        return sorted(_walk(files(SHIPPED), ""))


def _walk(folder: Traversable, prefix: str) -> list[str]:
    names = []
    for item in folder.iterdir():
        if item.is_dir():
            names.extend(_walk(item, f"{prefix}{item.name}/"))
        elif item.name.endswith((".html", ".css")):
            names.append(prefix + item.name)
    return names


def _unchanged_since(path: Path) -> Callable[[], bool]:
    mtime = path.stat().st_mtime_ns

    def uptodate() -> bool:
        try:
            return path.stat().st_mtime_ns == mtime
        except OSError:
            return False

    return uptodate


def _where(folder: Path | None) -> str:
    shipped = "the shipped templates (kzdocs.templates)"
    return shipped if folder is None else f"{str(folder)!r} or {shipped}"


def _localized(format_value: Callable[[Any, str], str]) -> Callable[..., str]:
    """A filter that formats in the language of the document being rendered."""

    @jinja2.pass_context
    def localized(context: jinja2.runtime.Context, value: Any) -> str:
        return format_value(value, context["lang"])

    return localized


def _filters() -> dict[str, Callable[..., Any]]:
    return {
        "amount": _localized(formatting.amount),
        "quantity": _localized(formatting.quantity),
        "country": _localized(formatting.country),
        "currency": _localized(formatting.currency),
        "unit": _localized(formatting.unit),
        "date": formatting.date,
        "astana_time": formatting.astana_time,
        "qr_data_uri": qr_data_uri,
    }
