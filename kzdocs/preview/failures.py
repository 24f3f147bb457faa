"""What went wrong, said where the lawyer looks: which template file and line (the line quoted),
which field of the record (number and label in the pane's language), which setting."""

from __future__ import annotations

import os
import traceback
from pathlib import Path
from typing import Any

from kzdocs.config import Config
from kzdocs.errors import (
    ConfigError,
    FieldError,
    KzdocsError,
    RecordFileError,
    RenderError,
    SigningError,
    TemplateError,
    ValidationError,
)

Message = dict[str, Any]


def explain(exc: BaseException, lang: str, config: Config | None) -> list[Message]:
    """The messages a pane shows for a failure, in the pane's language where the data has one."""
    if isinstance(exc, ValidationError):
        return [field_message(error, lang) for error in exc.errors]
    if isinstance(exc, TemplateError):
        return [template_message(exc, config)]
    titles = (
        (RecordFileError, "The record cannot be read"),
        (ConfigError, "The configuration cannot be used"),
        (SigningError, "The test key cannot sign"),
        (RenderError, "The PDF cannot be made"),
        (KzdocsError, "The document cannot be made"),
    )
    for kind, title in titles:
        if isinstance(exc, kind):
            return [{"title": title, "message": str(exc)}]
    return [{"title": "Unexpected error", "message": f"{type(exc).__name__}: {exc}"}]


def field_message(error: FieldError, lang: str) -> Message:
    """«Field 15. Код товара по ТН ВЭД ЕАЭС и его описание» and the rule it broke."""
    label = error.label(lang)
    if error.field is not None:
        title = f"{error.field}. {label}"
    else:
        title = label or ("Жазба" if lang == "kk" else "Запись")
    return {
        "title": title,
        "message": error.text(lang),
        "path": error.path,
        "field": error.field,
        "label": label,
    }


def template_message(exc: TemplateError, config: Config | None) -> Message:
    """The template's file and line, and that line as the file has it."""
    filename, line, source = _location(exc, config)
    message: Message = {"title": "Template error", "message": str(exc)}
    if filename:
        message["file"] = _shown(filename)
    if line:
        message["line"] = line
        lines = (source or "").splitlines()
        if 0 < line <= len(lines):
            message["quote"] = lines[line - 1]
    return message


def _location(exc: TemplateError, config: Config | None) -> tuple[str | None, int | None, str]:
    """Where the failure is: a syntax error knows its line; a runtime error (an unknown name)
    is the innermost template frame of the Jinja traceback."""
    if exc.__cause__ is not None:
        frames = [
            (frame.f_code.co_filename, line)
            for frame, line in traceback.walk_tb(exc.__cause__.__traceback__)
            if not frame.f_code.co_filename.endswith(".py")
            and not frame.f_code.co_filename.startswith("<")
        ]
        if frames:
            filename, line = frames[-1]
            return filename, line, _read(filename)
    filename, source = _source(exc.template, config)
    return filename, exc.line, source


def _source(name: str | None, config: Config | None) -> tuple[str | None, str]:
    if not name:
        return None, ""
    from kzdocs.html import environment

    env = environment(config.templates if config else None)
    try:
        source, filename, _ = env.loader.get_source(env, name)
    except Exception:
        return name, ""
    return filename or name, source


def _read(filename: str) -> str:
    try:
        return Path(filename).read_text(encoding="utf-8")
    except OSError:
        return ""


def _shown(filename: str) -> str:
    """A path relative to the current folder when it is inside it: what the lawyer opened."""
    try:
        relative = os.path.relpath(filename)
    except ValueError:
        return filename
    return filename if relative.startswith("..") else relative
