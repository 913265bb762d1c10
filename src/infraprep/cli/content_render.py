"""Render content whose numbers are calculator calls, so an answer can never drift from ``calc``.

Two forms, both evaluated by running ``infraprep calc …`` in-process (the same option parsing a
user gets):

* inline value — ``{{calc train-memory --params 7.5e9 --dp 64 --zero 1 | per_gpu_bytes.total | GB:1}}``
  renders the JSON field at that dotted path in the given unit (here ``31.4 GB``); inside a Markdown
  table write the separators as ``\\|`` so the raw table still reads on a code host;
* derivation block — a fenced block with the info string ``calc`` holding one command line renders
  as the command's table and derivation, in a ``text`` block.

Units: ``B kB MB GB TB PB KiB MiB GiB TiB`` (bytes), ``B/s kB/s MB/s GB/s TB/s`` (bytes/s),
``Gbps`` (bits/s), ``FLOPs TFLOPs PFLOPs EFLOPs ZFLOPs`` (work), ``TFLOP/s PFLOP/s EFLOP/s`` (rate),
``ns us ms s min h d`` (time), ``%`` (a 0-1 fraction), ``x`` (a ratio), ``k M B T`` (counts:
thousand, million, billion, trillion), ``e`` (scientific), ``n`` (plain number) — each optionally
``:DIGITS`` after the decimal point (default 1; 0 adds thousands separators).

Errors never reach the reader as tracebacks: :func:`check` lists them as ``file:line: message`` for
``infraprep lint``.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shlex
from functools import lru_cache
from pathlib import Path

from infraprep.errors import InfraprepError

__all__ = ["UNITS", "check", "evaluate", "render"]

INLINE = re.compile(r"\{\{calc\s+(?P<args>[^|}]+?)\s*\\?\|\s*(?P<path>[\w.\[\]-]+)\s*(?:\\?\|\s*(?P<fmt>[^}]+?)\s*)?\}\}")
BLOCK = re.compile(r"^```calc[ \t]*\n(?P<command>.*?)\n```[ \t]*$", re.M | re.S)

_B = {"B": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "PB": 1e15, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30,
      "TiB": 2**40}
UNITS: dict[str, float] = {
    **_B,
    **{f"{k}/s": v for k, v in _B.items() if "i" not in k},
    "Gbps": 1e9 / 8, "Tbps": 1e12 / 8,
    "FLOPs": 1, "TFLOPs": 1e12, "PFLOPs": 1e15, "EFLOPs": 1e18, "ZFLOPs": 1e21,
    "TFLOP/s": 1e12, "PFLOP/s": 1e15, "EFLOP/s": 1e18,
    "ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1, "min": 60, "h": 3600, "d": 86400,
    "%": 0.01, "x": 1, "n": 1, "k": 1e3, "M": 1e6, "Bn": 1e9, "T": 1e12,
}
_SUFFIX = {"x": "×", "n": "", "Bn": "B", "k": "k", "M": "M", "T": "T", "%": "%"}


@lru_cache(maxsize=512)
def _run(argv: tuple[str, ...], as_json: bool) -> str:
    from infraprep.cli import output
    from infraprep.cli.app import main

    buffer = io.StringIO()
    console = output.console  # every command prints through this one console
    saved = (console._file, console._width, console._color_system)  # raw: None means "follow sys.stdout"
    try:
        console.file, console.width, console._color_system = buffer, 100, None
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(io.StringIO()) as err:
            try:
                main(["calc", *argv, *(["--json"] if as_json else [])])
            except SystemExit as exc:
                if exc.code not in (0, None):
                    message = err.getvalue().strip().removeprefix("infraprep: error: ")
                    raise InfraprepError(message or f"exit status {exc.code}") from None
    finally:
        console._file, console._width, console._color_system = saved
    return buffer.getvalue()


def evaluate(args: str) -> dict:
    """The JSON result of ``infraprep calc ARGS``."""
    return json.loads(_run(tuple(shlex.split(args)), True))


def _lookup(data, path: str):
    value = data
    for part in re.findall(r"[^.\[\]]+", path):
        if isinstance(value, list):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise InfraprepError(f"no field {path!r} in the result")
    return value


def _format(value, fmt: str | None) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    unit, _, digits = (fmt or "n").partition(":")
    places = int(digits) if digits else (0 if unit == "n" and float(value).is_integer() else 1)
    if unit == "e":
        return f"{value:.{places}e}"
    if unit not in UNITS:
        raise InfraprepError(f"unknown unit {unit!r} (valid: {', '.join(UNITS)}, e)")
    scaled = value / UNITS[unit]
    number = f"{scaled:,.0f}" if places == 0 else f"{scaled:.{places}f}"
    suffix = _SUFFIX.get(unit, f" {unit}")
    return number + suffix


def render(text: str) -> str:
    """``text`` with every calc tag and calc block replaced by its computed result."""

    def inline(match: re.Match) -> str:
        return _format(_lookup(evaluate(match["args"]), match["path"]), match["fmt"])

    def block(match: re.Match) -> str:
        command = match["command"].strip()
        shown = _run(tuple(shlex.split(command)), False).rstrip()
        return f"```text\n$ infraprep calc {command}\n{shown}\n```"

    return INLINE.sub(inline, BLOCK.sub(block, text))


def check(path: Path) -> list[str]:
    """Every failing tag or block of a Markdown file, as ``file:line: message``."""
    problems = []
    text = path.read_text(encoding="utf-8")
    for pattern, kind in ((INLINE, "inline"), (BLOCK, "block")):
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            try:
                render(match.group(0))
            except (InfraprepError, ValueError, KeyError, IndexError) as exc:
                problems.append(f"{path}:{line}: calc {kind} failed: {exc}")
    return problems
