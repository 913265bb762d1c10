"""Authored choice and order items (from each round's ``drills.md``) as drill templates.

Options and steps are shuffled by the seed, so a candidate cannot learn letter positions.
"""

from __future__ import annotations

import random

from infraprep.content.drills import AuthoredDrill, parse_drills
from infraprep.content.paths import round_dir
from infraprep.content.spine import ROUNDS
from infraprep.practice.drills.model import Drill

__all__ = ["authored_items", "register_authored"]


def authored_items() -> list[AuthoredDrill]:
    items: list[AuthoredDrill] = []
    for rnd in ROUNDS:
        found, _problems = parse_drills(round_dir(rnd) / "drills.md")  # problems are lint's business
        items += found
    return items


def _make(item: AuthoredDrill):
    def make(rng: random.Random) -> Drill:
        perm = list(range(len(item.items)))
        rng.shuffle(perm)  # perm[k] = original index shown at position k
        shown = tuple(item.items[i] for i in perm)
        why = f"{item.why}"
        if item.kind == "choice":
            return Drill(item.prompt, "choice", expected=perm.index(item.answer),
                         explain=why, choices=shown)
        order = tuple(perm.index(i) for i in range(len(item.items)))  # shown positions in the right order
        return Drill(item.prompt, "order", explain=why, choices=shown, order=order)

    return make


def register_authored(registry: dict) -> None:
    from infraprep.practice.drills.registry import Template

    for item in authored_items():
        registry[item.id] = Template(item.id, item.competency, item.title, _make(item))
