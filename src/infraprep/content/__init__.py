"""Round content: the spine (rounds, competencies), the question-bank parser, loader and linter."""

from infraprep.content.loader import Content, load_content, load_round
from infraprep.content.model import KINDS, Bank, Problem, Question
from infraprep.content.paths import content_root, questions_path, round_dir
from infraprep.content.spine import (
    COMPETENCIES,
    COMPETENCY_IDS,
    ROUNDS,
    Competency,
    Round,
    competencies_of,
    get_competency,
    get_round,
)

__all__ = [
    "COMPETENCIES",
    "COMPETENCY_IDS",
    "KINDS",
    "ROUNDS",
    "Bank",
    "Competency",
    "Content",
    "Problem",
    "Question",
    "Round",
    "competencies_of",
    "content_root",
    "get_competency",
    "get_round",
    "load_content",
    "load_round",
    "questions_path",
    "round_dir",
]
