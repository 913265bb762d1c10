"""Where the round folders live: the checkout's root, or the copy shipped inside the wheel."""

from __future__ import annotations

import os
from pathlib import Path

from infraprep.content.spine import ROUNDS, Round
from infraprep.errors import InfraprepError

__all__ = ["content_root", "round_dir", "questions_path"]

_PACKAGE = Path(__file__).resolve().parents[1]  # src/infraprep (or site-packages/infraprep)


def content_root() -> Path:
    """The folder holding ``round-1-systems-coding/`` … ``round-7-capstone/``.

    Order: ``$INFRAPREP_CONTENT`` (tests, authors previewing a fork); the source checkout this
    package was imported from (editable installs); the copy force-included in the wheel under
    ``infraprep/_content``.
    """
    env = os.environ.get("INFRAPREP_CONTENT")
    if env:
        return Path(env)
    checkout = _PACKAGE.parents[1]
    if (checkout / ROUNDS[0].slug).is_dir():
        return checkout
    packaged = _PACKAGE / "_content"
    if packaged.is_dir():
        return packaged
    raise InfraprepError(f"round content not found: neither {checkout} nor {packaged} holds {ROUNDS[0].slug}/")


def round_dir(rnd: Round, root: Path | None = None) -> Path:
    return (root or content_root()) / rnd.slug


def questions_path(rnd: Round, root: Path | None = None) -> Path:
    return round_dir(rnd, root) / "questions.md"
