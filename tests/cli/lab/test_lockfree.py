"""``infraprep lab lockfree``: JSON and table output, exit codes, bad input."""

import shutil

import pytest

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")


def test_json_has_every_run_and_the_verdict(cli):
    """One small full run: TSan included, benchmark tiny."""
    result = cli("lab", "lockfree", "--json", "--items", "5000", "--tsan-items", "2000", "--attempts", "8",
                 "--bench-items", "50000", "--reps", "1")
    data = result.json()
    assert result.code == 0 and data["passed"] is True
    runs = {(r["structure"], r["variant"], r["build"]) for r in data["stress"]}
    assert runs == {(s, v, b) for s in ("spsc", "mpmc", "stack") for v in ("correct", "broken") for b in ("release", "tsan")}
    assert data["broken_twins_caught"] == {"spsc": True, "mpmc": True, "stack": True}
    assert all(r["clean"] for r in data["stress"] if r["variant"] == "correct")
    assert data["aba"]["passed"] is True
    assert [b["kind"] for b in data["bench"]] == ["spsc", "mpmc"]
    assert data["machine"]["cpus_usable"] >= 1 and data["compiler"]
    assert result.err == ""  # no progress bar in --json mode


def test_table_output(cli):
    result = cli("lab", "lockfree", "--no-tsan", "--no-bench", "--items", "2000", "--attempts", "8")
    # without TSan the relaxed twins cannot be caught on x86 (their machine code equals the correct one's)
    assert "Stress with checksums" in result.out and "Scripted ABA" in result.out
    assert "infraprep::broken::TreiberStackNoTag" in result.out
    assert result.code in (0, 1)
    assert ("lab passed" in result.out) == (result.code == 0)


@pytest.mark.parametrize(("args", "message"), [
    (("--items", "0"), "--items=0 is not valid"),
    (("--reps", "-1"), "--reps=-1 is not valid"),
    (("--items", "many"), "Invalid value for '--items'"),
])
def test_bad_input_is_one_line_and_exit_2(cli, args, message):
    result = cli("lab", "lockfree", *args)
    assert result.code == 2
    assert message in result.err and "Traceback" not in result.err
