"""Kata folders: fixed roles, declared in ``kata.json`` (Exercism-style).

::

    round-N-*/solutions/katas/<id>/
    ├── kata.json      the manifest: id, title, competency, language, limits, file roles
    ├── README.md      the statement the candidate reads
    ├── <solution>     the reference solution, with KATA-BEGIN/KATA-END regions (see skeleton.py)
    └── <tests>        the tests, run against the reference in CI and against the candidate's file

The candidate's copy (``infraprep kata start``) lives in their workspace at
``round-N-*/solutions/<id>/<solution>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from infraprep.content.model import Problem
from infraprep.content.paths import round_dir
from infraprep.content.spine import COMPETENCY_IDS, ROUNDS
from infraprep.errors import UnknownName

__all__ = ["LANGUAGES", "Kata", "find_kata", "load_katas"]

LANGUAGES = ("python", "cpp")


@dataclass(frozen=True)
class Kata:
    id: str
    title: str
    competency: str
    language: str
    solution: str  # file name the candidate edits
    tests: tuple[str, ...]
    folder: Path
    hints: tuple[str, ...] = ()
    time_limit_s: float = 60.0  # wall clock for the whole check
    memory_mb: int = 1024  # address-space limit per process
    max_procs: int = 64  # processes + threads
    tsan: bool = False  # C++: also build and run under ThreadSanitizer
    extra_flags: tuple[str, ...] = field(default=())

    @property
    def round(self) -> int:
        return int(self.competency[1])

    @property
    def reference(self) -> Path:
        return self.folder / self.solution

    @property
    def statement(self) -> Path:
        return self.folder / "README.md"

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "competency": self.competency, "round": self.round,
                "language": self.language, "solution": self.solution, "time_limit_s": self.time_limit_s}


def _parse(path: Path) -> tuple[Kata | None, list[Problem]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return None, [Problem(path, exc.lineno, f"kata.json is not valid JSON: {exc.msg}")]
    problems = []
    for key in ("id", "title", "competency", "language", "solution", "tests"):
        if key not in data:
            problems.append(Problem(path, 1, f"kata.json lacks {key!r}"))
    if problems:
        return None, problems
    folder = path.parent
    if data["id"] != folder.name:
        problems.append(Problem(path, 1, f"id {data['id']!r} differs from its folder {folder.name!r}"))
    if data["competency"] not in COMPETENCY_IDS:
        problems.append(Problem(path, 1, f"unknown competency id {data['competency']!r}"))
    if data["language"] not in LANGUAGES:
        problems.append(Problem(path, 1, f"language {data['language']!r} is not one of {', '.join(LANGUAGES)}"))
    for name in [data["solution"], *data["tests"], "README.md"]:
        if not (folder / name).is_file():
            problems.append(Problem(path, 1, f"{name} is missing from {folder.name}/"))
    if problems:
        return None, problems
    known = {"id", "title", "competency", "language", "solution", "tests", "hints", "time_limit_s", "memory_mb",
             "max_procs", "tsan", "extra_flags"}
    unknown = sorted(set(data) - known)
    if unknown:
        return None, [Problem(path, 1, f"unknown manifest keys: {', '.join(unknown)}")]
    kata = Kata(
        data["id"], data["title"], data["competency"], data["language"], data["solution"], tuple(data["tests"]), folder,
        tuple(data.get("hints", ())), float(data.get("time_limit_s", 60)), int(data.get("memory_mb", 1024)),
        int(data.get("max_procs", 64)), bool(data.get("tsan", False)), tuple(data.get("extra_flags", ())),
    )
    return kata, []


def load_katas(root: Path | None = None) -> tuple[list[Kata], list[Problem]]:
    katas, problems = [], []
    for rnd in ROUNDS:
        for manifest in sorted((round_dir(rnd, root) / "solutions" / "katas").glob("*/kata.json")):
            kata, found = _parse(manifest)
            problems += found
            if kata:
                katas.append(kata)
    return katas, problems


def find_kata(kata_id: str) -> Kata:
    katas = {k.id: k for k in load_katas()[0]}
    if kata_id not in katas:
        raise UnknownName("kata", kata_id, katas)
    return katas[kata_id]
