"""Drill templates: parametric generators registered per competency, plus authored items.

A template turns a seeded ``random.Random`` into a :class:`Drill` whose expected value comes from the
calculators (never typed in), so drills cannot drift from ``infraprep calc``. Same template and
seed, same drill (tested).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from infraprep.errors import UnknownName
from infraprep.practice.drills.model import Drill

__all__ = ["Template", "all_templates", "generate", "template"]


@dataclass(frozen=True)
class Template:
    id: str
    competency: str
    summary: str
    make: Callable[[random.Random], Drill]

    @property
    def round(self) -> int:
        return int(self.competency[1])


_TEMPLATES: dict[str, Template] = {}


def template(template_id: str, competency: str, summary: str):
    """Register ``make(rng) -> Drill`` under ``template_id`` (decorator)."""

    def register(make: Callable[[random.Random], Drill]) -> Callable[[random.Random], Drill]:
        if template_id in _TEMPLATES:
            raise ValueError(f"duplicate drill template {template_id}")
        _TEMPLATES[template_id] = Template(template_id, competency, summary, make)
        return make

    return register


def _load() -> dict[str, Template]:
    """Import the generator modules and the authored items once (they register themselves)."""
    if not _TEMPLATES:
        from infraprep.practice.drills import authored, templates  # noqa: F401

        authored.register_authored(_TEMPLATES)
    return _TEMPLATES


def all_templates() -> list[Template]:
    return sorted(_load().values(), key=lambda t: (t.competency, t.id))


def generate(template_id: str, seed: int) -> Drill:
    """The drill of ``template_id`` for ``seed``."""
    templates = _load()
    if template_id not in templates:
        raise UnknownName("drill template", template_id, templates)
    drill = templates[template_id].make(random.Random(seed))
    return replace(drill, template=template_id, competency=templates[template_id].competency, seed=seed)
