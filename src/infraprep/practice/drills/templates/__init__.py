"""Parametric drill generators, one module per round; importing this package registers them all."""

from infraprep.practice.drills.templates import round1, round2, round3, round5, round6, round7  # noqa: F401
