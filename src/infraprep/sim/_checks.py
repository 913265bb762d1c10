"""Validation shared by the simulators' frozen configs."""

from __future__ import annotations

from infraprep.errors import InvalidValue

__all__ = ["integers_in_range"]


def integers_in_range(config: object, limits: tuple[tuple[str, int, int], ...]) -> None:
    """Each (field, low, high): the field must be an int (not a bool) in [low, high]; the error names
    the CLI option (``--fail-links`` for ``fail_links``)."""
    for name, low, high in limits:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidValue(f"--{name.replace('_', '-')}", value, f"an integer from {low} to {high}")
