"""Timed mock interviews: planning, a resumable line-driven runner, records and history."""

from infraprep.practice.mock.plan import plan_mock
from infraprep.practice.mock.record import MockSummary, finish, history
from infraprep.practice.mock.runner import MockRunner, Prompt, new_state

__all__ = ["MockRunner", "MockSummary", "Prompt", "finish", "history", "new_state", "plan_mock"]
