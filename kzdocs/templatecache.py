"""Compiled templates kept between runs of kzdocs' own processes (the command, its workers).

Jinja compiles a template to Python code at its first use in a process: the six templates of a
licence took 40 ms of a one-document command, more than everything else of the HTML stage.
Their code is kept in a folder only this user can enter (`ownprocess.template_cache_folder`),
under the template's name and file, and used only if it was compiled from the same source by
the same Jinja and Python (Jinja's own check) for an environment of the same class, options,
filters and tests: a template edited, or an environment set up otherwise, is compiled anew. A
cache file that cannot be read or written costs the compile, nothing else. A host
application's process never uses it.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

__all__ = ["CompiledTemplates"]


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates, for one environment, failing quietly."""

    def __init__(self, folder: Path, env: jinja2.Environment):
        super().__init__(str(folder), "%s.jinja")
        self._compiled_for = compiled_for(env)

    def get_source_checksum(self, source: str) -> str:
        return hashlib.sha256(f"{self._compiled_for}\0{source}".encode()).hexdigest()

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # unreadable, cut short, garbled (Jinja checks only the code's part)
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # a full or read-only disk: compiled next time too
            super().dump_bytecode(bucket)


def compiled_for(env: jinja2.Environment) -> str:
    """What the code Jinja compiles depends on besides the source: the environment's class,
    the lexer's and compiler's options, and the filters and tests with how each is called (an
    autoescape function is shown with its address: its code is never reused by another process).
    """
    calls = [
        sorted((name, str(getattr(f, "jinja_pass_arg", None))) for name, f in named.items())
        for named in (env.filters, env.tests)
    ]
    options = [
        f"{type(env).__module__}.{type(env).__qualname__}", env.sandboxed, env.autoescape,
        env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline, env.newline_sequence,
        env.block_start_string, env.block_end_string, env.variable_start_string,
        env.variable_end_string, env.comment_start_string, env.comment_end_string,
        env.line_statement_prefix, env.line_comment_prefix, env.optimized, env.is_async,
        env.finalize is None, sorted(env.extensions), calls,
    ]  # fmt: skip
    return repr(options)
