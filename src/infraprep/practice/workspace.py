"""The candidate's own prep repository, in the seed's exact shape.

::

    DIR/
    ├── README.md                      the matrix and the 28 competency checkboxes
    ├── round-1-systems-coding/
    │   ├── questions.md               a copy of the bank
    │   ├── solutions/README.md        the candidate's answers and kata files go here
    │   ├── whiteboard/README.md
    │   └── mock-interviews/README.md  mock records are written here
    ├── …                              one folder per round
    └── .infraprep/state.db            the store (attempts, reviews, sessions)

``init`` never overwrites: it creates what is missing and leaves every existing file alone.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from infraprep.content.paths import questions_path
from infraprep.content.spine import ROUNDS, Round, competencies_of
from infraprep.store.db import Store

__all__ = ["STATE_DIR", "InitReport", "Workspace", "find_workspace", "init_workspace", "readme_text"]

STATE_DIR = ".infraprep"
ENV_HOME = "INFRAPREP_HOME"
_FOLDER_NOTES = {
    "solutions": "Your answers and code for this round. `infraprep kata start ID` writes kata skeletons here.",
    "whiteboard": "Your formula sheets and diagrams for this round.",
    "mock-interviews": "Records of your mock interviews (`infraprep mock start --round N` writes them here).",
}


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / STATE_DIR / "state.db"

    @property
    def readme(self) -> Path:
        return self.root / "README.md"

    def round_dir(self, rnd: Round) -> Path:
        return self.root / rnd.slug

    def open_store(self) -> Store:
        return Store(self.db_path)


@dataclass
class InitReport:
    workspace: Workspace
    created: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)

    def to_dict(self) -> dict:
        root = self.workspace.root
        return {
            "root": str(root),
            "created": [str(p.relative_to(root)) for p in self.created],
            "kept": [str(p.relative_to(root)) for p in self.kept],
        }


def readme_text() -> str:
    """The workspace README: the seed's matrix and the 28 checkboxes (ticked by ``progress``)."""
    lines = [
        "# My AI-infrastructure interview preparation",
        "",
        "Seven-round interview preparation, managed by [infraprep](https://pypi.org/project/infraprep/).",
        "`infraprep progress` ticks a box when its competency meets the mastery rule and unticks it when it falls below.",
        "",
        "## Interview matrix",
        "",
        "| Round | Focus Area | Course Mapping | Duration |",
        "|-------|------------|----------------|----------|",
    ]
    lines += [f"| {r.number} | {r.focus} | {', '.join(r.courses)} | {r.minutes} min |" for r in ROUNDS]
    lines += ["", "## Key competencies", ""]
    for rnd in ROUNDS:
        lines += [f"### Round {rnd.number}: {rnd.focus}", ""]
        lines += [f"- [ ] {c.label} (`{c.id}`)" for c in competencies_of(rnd.number)]
        lines.append("")
    return "\n".join(lines)


def init_workspace(root: Path) -> InitReport:
    """Create the workspace under ``root``; never overwrite an existing file."""
    root = root.expanduser().resolve()
    report = InitReport(Workspace(root))

    def write(path: Path, text: str) -> None:
        if path.exists():
            report.kept.append(path)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        report.created.append(path)

    write(root / "README.md", readme_text())
    for rnd in ROUNDS:
        folder = root / rnd.slug
        target = folder / "questions.md"
        if target.exists():
            report.kept.append(target)
        else:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(questions_path(rnd), target)
            report.created.append(target)
        for name, note in _FOLDER_NOTES.items():
            write(folder / name / "README.md", f"# Round {rnd.number}: {name}\n\n{note}\n")
    db = report.workspace.db_path
    existed = db.exists()
    report.workspace.open_store().close()  # creates or migrates
    (report.kept if existed else report.created).append(db)
    write(root / STATE_DIR / ".gitignore", "# the store is personal state, not content\n*\n")
    return report


def find_workspace(start: Path | None = None, env: dict | None = None) -> Workspace:
    """The workspace to use: the nearest ``.infraprep/`` above ``start`` (default: cwd), else
    ``$INFRAPREP_HOME``, else the per-user default (platformdirs), created on first use."""
    env = os.environ if env is None else env
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / STATE_DIR / "state.db").is_file():
            return Workspace(folder)
    if env.get(ENV_HOME):
        root = Path(env[ENV_HOME]).expanduser()
    else:
        from platformdirs import user_data_dir

        root = Path(user_data_dir("infraprep", appauthor=False)) / "workspace"
    if not (root / STATE_DIR / "state.db").is_file():
        init_workspace(root)
    return Workspace(root.resolve())
