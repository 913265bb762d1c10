"""Step reporting for labs: the lab announces each step; a caller (the CLI's progress bar) listens.

The listener is ``on_step(label, done, total)``, called before each step starts and once more with
``"done"`` at the end. Labs take it as an optional argument, so they stay free of any UI.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["OnStep", "Steps"]

OnStep = Callable[[str, int, int], None]


class Steps:
    """Counts steps out of a known ``total`` and tells ``on_step`` (if any) about each one."""

    def __init__(self, total: int, on_step: OnStep | None = None) -> None:
        self.total, self.done, self._on_step = total, 0, on_step

    def __call__(self, label: str) -> None:
        if self._on_step:
            self._on_step(label, min(self.done, self.total), self.total)
        self.done += 1

    def finish(self) -> None:
        if self._on_step:
            self._on_step("done", self.total, self.total)
