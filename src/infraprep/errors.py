"""Project exceptions.

Every error a user can cause is an :class:`InfraprepError` (a ``ValueError``). The CLI prints its
message on one line and exits with :attr:`InfraprepError.exit_code` (2, like click's
``UsageError``), so bad input never shows a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["InfraprepError", "InvalidValue", "UnknownName", "nearest"]


class InfraprepError(ValueError):
    """Base class for errors caused by user input or content; the CLI exits 2 on them."""

    exit_code = 2


class InvalidValue(InfraprepError):
    """A value outside its valid set or range.

    Args:
        name: the parameter, as the user typed it (``--tp``).
        value: what was given.
        valid: what would be valid, in words (``"a divisor of heads=96"``).
    """

    def __init__(self, name: str, value: object, valid: str) -> None:
        self.name, self.value, self.valid = name, value, valid
        super().__init__(f"{name}={value!r} is not valid: expected {valid}")


def nearest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` likely intended names: those starting with ``word`` (so ``h100`` finds
    ``h100-sxm``), then the closest spellings (difflib ratio ≥ 0.75)."""
    choices = list(choices)
    lowered = word.lower()
    prefixed = [c for c in choices if c.lower().startswith(lowered)] if lowered else []
    close = difflib.get_close_matches(word, choices, n=n, cutoff=0.75)
    return list(dict.fromkeys(prefixed + close))[:n]


class UnknownName(InfraprepError):
    """A name (round, question id, competency id, GPU, preset) that does not exist.

    The message lists the nearest valid names so the user can retype without looking them up.
    """

    def __init__(self, kind: str, value: str, choices: Iterable[str]) -> None:
        self.kind, self.value = kind, value
        choices = list(choices)
        self.suggestions = nearest(value, choices)
        if self.suggestions:
            hint = f"; did you mean {', '.join(self.suggestions)}?"
        elif len(choices) <= 12:
            hint = f"; valid: {', '.join(choices)}"
        else:
            hint = ""
        super().__init__(f"unknown {kind} {value!r}{hint}")
