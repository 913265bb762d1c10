"""The sandbox contains a loop, a segfault, a fork bomb and a huge allocation, and keeps working."""

import os
import shutil
import subprocess
import sys

import pytest

from infraprep.practice.katas import Limits, run_limited

LIMITS = Limits(wall_s=3, cpu_s=3, memory_bytes=512 << 20, max_procs=32)


def run(code, tmp_path, **kwargs):
    return run_limited([sys.executable, "-c", code], tmp_path, dict(os.environ), LIMITS, **kwargs)


def no_strays(marker):
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return not [line for line in out.splitlines() if marker in line and "ps -eo" not in line]


def test_infinite_loop(tmp_path):
    result = run("while True: pass  # loop-marker", tmp_path)
    assert result.verdict == "timeout" and "timed out after 3 s" in result.message
    assert no_strays("loop-marker")


def test_huge_allocation(tmp_path):
    result = run("x = bytearray(8 << 30)", tmp_path)
    assert result.verdict == "memory" and "512 MiB" in result.message


@pytest.mark.parametrize("use_cgroup", [True, False], ids=["cgroup-if-available", "watchdog-only"])
def test_fork_bomb(tmp_path, use_cgroup):
    result = run("import os\nwhile True:\n    os.fork()  # bomb-marker", tmp_path, use_cgroup=use_cgroup)
    assert result.verdict == "processes" and "fork bomb" in result.message
    assert no_strays("bomb-marker")


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_segfaulting_cpp(tmp_path):
    (tmp_path / "crash.cpp").write_text("int main() { volatile int* p = nullptr; return *p; }\n")
    subprocess.run(["g++", "-O0", str(tmp_path / "crash.cpp"), "-o", str(tmp_path / "crash")], check=True)
    result = run_limited([str(tmp_path / "crash")], tmp_path, dict(os.environ), LIMITS)
    assert result.verdict == "crashed" and "SIGSEGV" in result.message


def test_the_runner_survives_and_reports_normal_outcomes(tmp_path):
    for code in ("while True: pass", "import os\nwhile True: os.fork()", "x = bytearray(8 << 30)"):
        run(code, tmp_path)
    ok = run("print('fine')", tmp_path)
    assert ok.ok and ok.stdout.strip() == "fine"
    failed = run("raise SystemExit(3)", tmp_path)
    assert failed.verdict == "failed" and failed.returncode == 3


def test_a_missing_program_is_a_result_not_an_exception(tmp_path):
    result = run_limited(["/nonexistent/program"], tmp_path, dict(os.environ), LIMITS)
    assert not result.ok and "could not start" in result.message
