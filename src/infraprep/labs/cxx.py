"""Build and run the round's C++ drivers with the system compiler, cached by source hash.

The C++ lives in the round's content (``round-1-systems-coding/solutions/``): headers a candidate
reads, drivers the labs run. Binaries are built on first use into the per-user cache
(``$INFRAPREP_CACHE/cxx``, else ``$XDG_CACHE_HOME/infraprep/cxx``, usually ``~/.cache/infraprep/cxx``),
never into the repository. The cache key hashes the compiler's identity, the flags, the source and
every header in its folder and the include folders, so an edited header rebuilds and an unchanged
tree never does (a test session compiles each binary once, later sessions not at all).

Every driver prints one JSON object on its last stdout line; :func:`run_json` returns it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from infraprep.content.paths import content_root
from infraprep.errors import InfraprepError

__all__ = ["BuildError", "DriverRun", "build", "cache_dir", "compiler", "compiler_version", "run_json", "solutions_dir"]

# Flags per build flavour. ThreadSanitizer wants -O1 or -O2 and -g for readable reports
# (https://clang.llvm.org/docs/ThreadSanitizer.html, "Usage").
_FLAVOURS = {
    "release": ("-O2",),
    "tsan": ("-O1", "-g", "-fsanitize=thread"),
}


class BuildError(InfraprepError):
    """The compiler rejected a driver (or a flavour's runtime, such as libtsan, is missing)."""

    def __init__(self, source: Path, flavour: str, stderr: str) -> None:
        self.source, self.flavour, self.stderr = source, flavour, stderr
        lines = [line for line in stderr.splitlines() if re.search(r"\berror\b:", line)] or stderr.splitlines() or ["?"]
        super().__init__(f"could not build {source.name} ({flavour}): {lines[0].strip()}")


def solutions_dir() -> Path:
    """``round-1-systems-coding/solutions`` in the checkout or the installed package."""
    return content_root() / "round-1-systems-coding" / "solutions"


def compiler() -> str:
    """The C++ compiler: ``$CXX`` or ``g++`` on PATH; an error naming what to install if absent."""
    name = os.environ.get("CXX", "g++")
    path = shutil.which(name)
    if path is None:
        raise InfraprepError(
            f"no C++ compiler: {name!r} is not on PATH; install g++ (Debian/Ubuntu: apt-get install g++) or set CXX"
        )
    return path


@functools.lru_cache(maxsize=8)
def _identity(path: str) -> str:
    run = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    return (run.stdout.splitlines() or [path])[0]


def compiler_version() -> str:
    """The compiler's first ``--version`` line (``g++ (Debian 12.2.0-14) 12.2.0``)."""
    return _identity(compiler())


def cache_dir() -> Path:
    base = os.environ.get("INFRAPREP_CACHE")
    if base:
        return Path(base) / "cxx"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("infraprep")) / "cxx"


def _key(cxx: str, args: Sequence[str], source: Path, includes: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    digest.update(_identity(cxx).encode())
    digest.update("\0".join(args).encode())
    digest.update(source.read_bytes())
    headers = sorted({h for folder in (source.parent, *includes) for h in Path(folder).glob("*.hpp")})
    for header in headers:
        digest.update(header.name.encode())
        digest.update(header.read_bytes())
    return digest.hexdigest()[:16]


def build(source: Path, flavour: str = "release", includes: Sequence[Path] = (), defines: Sequence[str] = ()) -> Path:
    """Compile ``source`` (C++17, pthreads) in ``flavour`` (``release`` or ``tsan``); returns the binary.

    ``defines`` are preprocessor macros (``NAME`` or ``NAME=VALUE``), part of the cache key.

    Raises:
        InfraprepError: no compiler on PATH.
        BuildError: the compiler failed (message: its first error line).
    """
    if flavour not in _FLAVOURS:
        raise InfraprepError(f"unknown build flavour {flavour!r}; valid: {', '.join(_FLAVOURS)}")
    cxx = compiler()
    args = ["-std=c++17", "-pthread", "-Wall", "-Wextra", *_FLAVOURS[flavour], *(f"-I{i}" for i in includes),
            *(f"-D{d}" for d in defines)]
    target = cache_dir() / f"{source.stem}-{flavour}-{_key(cxx, args, source, includes)}"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
    done = subprocess.run([cxx, *args, str(source), "-o", str(partial)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BuildError(source, flavour, done.stderr)
    os.replace(partial, target)  # atomic: a concurrent build of the same key just replaces it
    return target


@dataclass(frozen=True)
class DriverRun:
    """A driver's JSON result, with its exit code and stderr (where sanitizers write their reports)."""

    result: dict
    returncode: int
    stderr: str


# A libtsan older than LLVM 18.1 (GCC 12's, for one) cannot map its shadow memory when the kernel
# randomizes mmap with more bits than it supports (vm.mmap_rnd_bits = 32 on recent distributions;
# google/sanitizers#1716). Running that one process without ASLR (setarch -R) avoids it.
_TSAN_MAPPING = "unexpected memory mapping"


def run_json(binary: Path, args: Sequence[object], timeout: float, ok_codes: Sequence[int] = (0,),
             env: dict | None = None) -> DriverRun:
    """Run ``binary args``; parse the JSON object on its last stdout line.

    Raises:
        InfraprepError: the driver timed out, exited with a code not in ``ok_codes`` or printed no JSON.
    """
    command = [str(binary), *map(str, args)]
    full_env = {**os.environ, **(env or {})}
    done = _run(command, timeout, full_env)
    if done.returncode != 0 and _TSAN_MAPPING in done.stderr and shutil.which("setarch"):
        done = _run(["setarch", os.uname().machine, "-R", *command], timeout, full_env)
    if done.returncode not in ok_codes:
        tail = " | ".join(done.stderr.strip().splitlines()[-3:])
        raise InfraprepError(f"{binary.name} exited with {done.returncode}: {tail or 'no message'}")
    lines = done.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise InfraprepError(f"{binary.name} printed no JSON result: {done.stdout[-200:]!r}") from None
    return DriverRun(result, done.returncode, done.stderr)


def _run(command: list[str], timeout: float, env: dict) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise InfraprepError(f"{Path(command[0]).name} ran past {timeout:.0f} s and was stopped") from None
