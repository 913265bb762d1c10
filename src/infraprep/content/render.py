"""Render a model answer for display."""

from __future__ import annotations

from infraprep.content.model import Question
from infraprep.errors import InfraprepError

__all__ = ["render_answer"]


def render_answer(question: Question) -> str:
    """The Markdown text of the question's model answer."""
    path = question.answer_path
    if path is None or not path.is_file():
        raise InfraprepError(f"{question.id} has no model answer file (run `infraprep lint`)")
    return path.read_text(encoding="utf-8")
