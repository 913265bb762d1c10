"""Coding katas: fixed-role folders, skeletons generated from references, a sandboxed checker."""

from infraprep.content.katas import Kata, find_kata, load_katas
from infraprep.practice.katas.runner import CheckResult, check
from infraprep.practice.katas.sandbox import Limits, RunResult, run_limited
from infraprep.practice.katas.skeleton import make_skeleton

__all__ = ["CheckResult", "Kata", "Limits", "RunResult", "check", "find_kata", "load_katas", "make_skeleton",
           "run_limited"]
