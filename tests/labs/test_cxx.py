"""Building C++ drivers: cached by source hash (headers included), clear errors, JSON results."""

import shutil

import pytest

from infraprep.errors import InfraprepError
from infraprep.labs import cxx

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++ (the lab says so itself: see below)")

PROGRAM = """
#include <cstdio>
#include "answer.hpp"
int main(int argc, char**) { std::printf("noise\\n{\\"answer\\": %d, \\"args\\": %d}\\n", kAnswer, argc - 1); return 0; }
"""


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.setenv("INFRAPREP_CACHE", str(tmp_path / "cache"))
    src = tmp_path / "src"
    src.mkdir()
    (src / "answer.hpp").write_text("constexpr int kAnswer = 42;\n")
    (src / "prog.cpp").write_text(PROGRAM)
    return src


def test_builds_once_and_reuses_the_binary(tree, tmp_path):
    first = cxx.build(tree / "prog.cpp")
    assert first.is_file() and tmp_path / "cache" in first.parents
    stamp = first.stat().st_mtime_ns
    assert cxx.build(tree / "prog.cpp") == first
    assert first.stat().st_mtime_ns == stamp  # not rebuilt


def test_editing_a_header_rebuilds(tree):
    before = cxx.build(tree / "prog.cpp")
    (tree / "answer.hpp").write_text("constexpr int kAnswer = 7;\n")
    after = cxx.build(tree / "prog.cpp")
    assert after != before
    assert cxx.run_json(after, [], timeout=30).result == {"answer": 7, "args": 0}


def test_run_json_reads_the_last_line_and_passes_arguments(tree):
    run = cxx.run_json(cxx.build(tree / "prog.cpp"), ["a", 2], timeout=30)
    assert run.result == {"answer": 42, "args": 2}
    assert run.returncode == 0


def test_flavours_get_separate_binaries(tree):
    assert cxx.build(tree / "prog.cpp", "release") != cxx.build(tree / "prog.cpp", "tsan")


def test_unknown_flavour_is_an_error(tree):
    with pytest.raises(InfraprepError, match="unknown build flavour 'fast'; valid: release, tsan"):
        cxx.build(tree / "prog.cpp", "fast")


def test_compile_error_names_the_file_and_the_first_error(tree):
    (tree / "bad.cpp").write_text("int main() { return undeclared_thing; }\n")
    with pytest.raises(cxx.BuildError, match=r"could not build bad\.cpp \(release\): .*undeclared_thing"):
        cxx.build(tree / "bad.cpp")


def test_missing_compiler_says_what_to_install(tree, monkeypatch):
    monkeypatch.setenv("CXX", "no-such-compiler-infraprep")
    with pytest.raises(InfraprepError, match="no C\\+\\+ compiler: 'no-such-compiler-infraprep' is not on PATH; install g\\+\\+"):
        cxx.build(tree / "prog.cpp")


def test_failing_driver_is_one_line_error(tree):
    (tree / "fail.cpp").write_text('#include <cstdio>\nint main() { std::fprintf(stderr, "broken input\\n"); return 3; }\n')
    with pytest.raises(InfraprepError, match="fail-release-[0-9a-f]+ exited with 3: broken input"):
        cxx.run_json(cxx.build(tree / "fail.cpp"), [], timeout=30)


def test_lab_without_compiler_exits_2_with_one_line(cli, monkeypatch):
    monkeypatch.setenv("CXX", "no-such-compiler-infraprep")
    result = cli("lab", "lockfree", "--no-bench", "--no-tsan")
    assert result.code == 2
    assert result.err.strip().startswith("infraprep: error: no C++ compiler")
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_solutions_dir_holds_the_round_1_cpp():
    assert (cxx.solutions_dir() / "lockfree" / "spsc_ring.hpp").is_file()
    assert (cxx.solutions_dir() / "litmus" / "litmus.cpp").is_file()
