"""Check a candidate's solution against a kata's tests, contained by the sandbox."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from infraprep.content.katas import Kata
from infraprep.practice.katas.sandbox import Limits, RunResult, run_limited

__all__ = ["CheckResult", "check"]

COMPILE_LIMITS = Limits(wall_s=120, cpu_s=120, memory_bytes=4 << 30, max_procs=64)


@dataclass(frozen=True)
class CheckResult:
    kata: Kata
    passed: bool
    verdict: str
    message: str
    output: str
    seconds: float

    def to_dict(self) -> dict:
        return {"kata": self.kata.id, "passed": self.passed, "verdict": self.verdict, "message": self.message,
                "seconds": self.seconds, "output": self.output}


def _limits(kata: Kata) -> Limits:
    return Limits(wall_s=kata.time_limit_s, cpu_s=kata.time_limit_s * 2, memory_bytes=kata.memory_mb << 20,
                  max_procs=kata.max_procs)


def _env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}
    env.update(PYTHONPATH=str(workdir), PYTHONDONTWRITEBYTECODE="1", HOME=str(workdir), TMPDIR=str(workdir),
               NUMBA_ENABLE_CUDASIM="1", TRITON_INTERPRET="1", OMP_NUM_THREADS="1")
    return env


def _result(kata: Kata, run: RunResult, stage: str = "") -> CheckResult:
    message = run.message if run.verdict != "failed" else f"{stage or 'tests'} failed ({run.message})"
    if run.ok:
        message = "all tests passed"
    return CheckResult(kata, run.ok, run.verdict if run.verdict != "failed" else f"{stage or 'tests'}-failed", message,
                       run.tail(), run.seconds)


def check(kata: Kata, solution: Path) -> CheckResult:
    """Run the kata's tests against ``solution`` (the candidate's file, or the reference)."""
    with tempfile.TemporaryDirectory(prefix=f"kata-{kata.id}-") as tmp:
        workdir = Path(tmp)
        shutil.copyfile(solution, workdir / kata.solution)
        for name in kata.tests:
            shutil.copyfile(kata.folder / name, workdir / name)
        env = _env(workdir)
        if kata.language == "python":
            cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--rootdir", str(workdir),
                   "-c", os.devnull, *kata.tests]
            return _result(kata, run_limited(cmd, workdir, env, _limits(kata)))
        return _check_cpp(kata, workdir, env)


def _check_cpp(kata: Kata, workdir: Path, env: dict[str, str]) -> CheckResult:
    compiler = shutil.which("g++")
    if compiler is None:
        return CheckResult(kata, False, "no-compiler", "g++ was not found: install it (Debian: apt-get install g++)",
                           "", 0.0)
    builds = [("plain", ["-O2"])] + ([("tsan", ["-O1", "-fsanitize=thread"])] if kata.tsan else [])
    total = 0.0
    for name, flags in builds:
        binary = workdir / f"kata-{name}"
        cmd = [compiler, "-std=c++17", "-g", "-pthread", *flags, *kata.extra_flags, "-I", str(workdir),
               *[t for t in kata.tests if t.endswith((".cpp", ".cc"))], "-o", str(binary)]
        build = run_limited(cmd, workdir, env, COMPILE_LIMITS)
        total += build.seconds
        if not build.ok:
            return CheckResult(kata, False, "compile-error", f"{name} build failed", build.tail(), total)
        limits = _limits(kata)
        if name == "tsan":  # TSAN reserves terabytes of shadow address space: no RLIMIT_AS for this run
            limits = Limits(limits.wall_s, limits.cpu_s, None, limits.max_procs, limits.file_bytes)
        run = run_limited([str(binary)], workdir, {**env, "TSAN_OPTIONS": "halt_on_error=1 exitcode=66"}, limits)
        total += run.seconds
        if not run.ok:
            stage = "ThreadSanitizer run" if name == "tsan" else "tests"
            if run.returncode == 66:
                return CheckResult(kata, False, "data-race", "ThreadSanitizer reported a data race", run.tail(), total)
            result = _result(kata, run, stage)
            return CheckResult(kata, False, result.verdict, result.message, result.output, total)
    return CheckResult(kata, True, "ok", "all tests passed" + (" (also clean under ThreadSanitizer)" if kata.tsan else ""),
                       "", total)
