"""What a process that kzdocs starts itself (the `kzdocs` command, its worker processes) may do
to itself. Importing kzdocs never calls these: a host application's process stays as it was.

The garbage collector runs less often: importing WeasyPrint, pydantic and their kin makes
hundreds of thousands of objects, and with the default thresholds the collector went through all
of them over and over (a sixth of a one-document command). A command that renders one document
and ends does without it (`one_document()`: its cycles come to under a megabyte), and starts
the PDF engine in a child while it does the rest (`kzdocs.pdfahead`). `ending()`
freezes what is left, so the interpreter's shutdown does not walk every object once more.

Compiled templates are kept in a folder of this user's (see `kzdocs.templatecache`).

`ctypes.util.find_library` is answered from one index of the system's libraries. WeasyPrint
opens each library under up to six names, most of which cannot exist on Linux
(`libgobject-2.0-0`, `….dylib`, `….dll`); cffi asks `find_library` for each name `dlopen`
refused, and on Linux that runs `ldconfig -p`, then gcc and ld (objdump on what they find) for
every name: 22 look-ups, 16 of them futile, a third of a second at every start of the command.

The index answers exactly as the standard function would: the same pattern over the same
`ldconfig -p` output (read once, not once a name), and None at once only for a name the linker
cannot find, because no file or directory named `lib<name>.…` is in any directory gcc or ld
would search (those of `gcc -print-search-dirs`, `ld --verbose`, `LD_LIBRARY_PATH` and the
ldconfig cache). Any other name is asked of the standard function itself.
"""

from __future__ import annotations

import ctypes.util
import gc
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from kzdocs.files import cache_folder

__all__ = [
    "GC_THRESHOLDS",
    "LibraryIndex",
    "ending",
    "one_document",
    "template_cache_folder",
    "tune",
]

# A young collection every 50 000 allocations instead of 700: cyclic garbage still goes, in
# bounded steps, in a process that runs for days (kzdocs serve) as in one that runs for a second.
GC_THRESHOLDS = (50_000, 20, 20)

# The Pythons whose Linux `find_library` is ldconfig, then gcc, then ld (read, not assumed).
_MIRRORED = ((3, 11), (3, 12), (3, 13))
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_+.-]+")
_C_LOCALE = {"LC_ALL": "C", "LANG": "C"}
_tuned = False


def tune() -> None:
    """Tune this process, which kzdocs started itself (never call it in a host application)."""
    global _tuned
    _tuned = True
    gc.set_threshold(*GC_THRESHOLDS)
    find = ctypes.util.find_library
    if (
        sys.platform == "linux"
        and sys.version_info[:2] in _MIRRORED
        and getattr(find, "__module__", None) == "ctypes.util"  # nobody else's replacement
        and hasattr(ctypes.util, "_findSoname_ldconfig")
    ):
        ctypes.util.find_library = LibraryIndex(find).find


def one_document(format: str | None = None) -> None:
    """This process renders one document in `format` and ends: no collection pays for itself,
    and a PDF's engine starts at once in a child (`kzdocs.pdfahead`). A no-op unless kzdocs
    started the process (`tune()`)."""
    if not _tuned:
        return
    gc.disable()
    if format == "pdf":
        from kzdocs import pdfahead

        pdfahead.start()


def ending() -> None:
    """This process, which kzdocs started itself, is about to end: no child of its left behind,
    and no last walks of the collector over every object at shutdown (files are closed and
    flushed as ever)."""
    pdfahead = sys.modules.get("kzdocs.pdfahead")
    if pdfahead is not None:
        pdfahead.stop()
    gc.freeze()


def template_cache_folder() -> Path | None:
    """Where this process keeps compiled templates: None unless kzdocs started it (`tune()`),
    or when the folder cannot be made this user's alone (owned by them, mode 0700, no link)."""
    if not _tuned or not hasattr(os, "getuid"):  # Windows: no such check, no cache
        return None
    folder = cache_folder() / "templates"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = os.lstat(folder)
    except OSError:
        return None
    private = stat.S_ISDIR(found.st_mode) and stat.S_IMODE(found.st_mode) == 0o700
    return folder if private and found.st_uid == os.getuid() else None


class LibraryIndex:
    """`find(name)` gives what `standard(name)` gives, without a subprocess for each name."""

    def __init__(self, standard: Callable[[str], str | None]):
        self.standard = standard
        self._answers: dict[str, str | None] = {}
        self._ldconfig: bytes | None = None
        self._linker_files: str | None = None

    def find(self, name: str) -> str | None:
        if name not in self._answers:
            self._answers[name] = self._find(name)
        return self._answers[name]

    def _find(self, name: str) -> str | None:
        if not _PLAIN_NAME.fullmatch(name):
            return self.standard(name)
        # ctypes.util._findSoname_ldconfig's pattern, over the cache it reads.
        pattern = rb"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name.encode()), _abi_type())
        found = re.search(pattern, self._ldconfig_output())
        if found:
            return os.fsdecode(found.group(1))
        files = self._linker_search_files()
        if files is not None and f"lib{name}." not in files:
            return None  # gcc's and ld's traces can only name files and directories listed here
        return self.standard(name)

    def _ldconfig_output(self) -> bytes:
        if self._ldconfig is None:
            self._ldconfig = _output(["/sbin/ldconfig", "-p"], _C_LOCALE, status=False) or b""
        return self._ldconfig

    def _linker_search_files(self) -> str | None:
        """Every directory the linker searches and every name in them, one a line; None when
        the directories cannot be known (then every miss goes to the standard function)."""
        if self._linker_files is None:
            folders = _linker_folders(self._ldconfig_output())
            if folders is None:
                return None
            names = [*folders, tempfile.gettempdir()]  # gcc's messages name its output file
            for folder in folders:
                try:
                    names += os.listdir(folder)
                except OSError:
                    continue  # a folder that is not there holds nothing to find
            self._linker_files = "\n".join(names)
        return self._linker_files


def _abi_type() -> bytes:
    """The ABI tag of ldconfig's lines for this machine, as ctypes.util works it out."""
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    tags = {
        "x86_64-64": "libc6,x86-64",
        "ppc64-64": "libc6,64bit",
        "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit",
        "ia64-64": "libc6,IA-64",
    }
    return tags.get(machine, "libc6").encode()


def _linker_folders(ldconfig: bytes) -> list[str] | None:
    """gcc's library directories, ld's SEARCH_DIRs, LD_LIBRARY_PATH and the ldconfig cache's
    directories; None when a compiler or linker the standard function would run cannot say."""
    folders: list[str] = []
    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler:
        out = _output([compiler, "-print-search-dirs"], env={**os.environ, **_C_LOCALE})
        found = re.search(rb"^libraries: =?(.*)$", out or b"", re.MULTILINE)
        if not found:
            return None
        folders += os.fsdecode(found.group(1)).split(os.pathsep)
    if shutil.which("ld"):
        out = _output(["ld", "--verbose"], env={**os.environ, **_C_LOCALE})
        if out is None:
            return None
        # "=" is ld's sysroot, "/" for a native linker.
        folders += [os.fsdecode(d) for d in re.findall(rb'SEARCH_DIR\("=?([^"]*)"\)', out)]
    folders += os.environ.get("LD_LIBRARY_PATH", "").split(":")
    cached = re.findall(rb"=> (\S+)", ldconfig)
    folders += sorted({os.path.dirname(os.fsdecode(path)) for path in cached})
    return [folder for folder in dict.fromkeys(folders) if folder]


def _output(command: list[str], env: dict[str, str], status: bool = True) -> bytes | None:
    """What `command` prints; None if it failed (`status`: judged by its exit status too)."""
    try:
        done = subprocess.run(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=env, check=False, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 or not status else None
