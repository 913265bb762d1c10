"""Parametric drill generators, one module per round; importing this package registers them all."""

from infraprep.practice.drills.templates import round2, round3, round7  # noqa: F401
