"""``infraprep lab train``: bad input is one line and exit 2; a run prints predicted beside measured."""

import pytest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tp", "3"], "--tp=3 is not valid: expected a divisor of heads=4"),
        (["--schedule", "zigzag"], "unknown schedule 'zigzag'"),
        (["--dp", "1", "--zero", "1"], "--zero=1 is not valid"),
        (["--dp", "8", "--tp", "4", "--pp", "2"], "--dp × --tp × --pp=64 is not valid: expected at most 32 ranks"),
        (["--steps", "0"], "--steps=0 is not valid"),
        (["--plot", "run.pdf"], "--plot='run.pdf' is not valid: expected a file name ending in .svg or .png"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args, message):
    result = cli("lab", "train", *args)
    assert result.code == 2
    assert message in result.err and len(result.err.strip().splitlines()) == 1
    assert "Traceback" not in result.err


@pytest.mark.slow
def test_json_run_reports_every_count_predicted_and_matched(cli):
    result = cli("lab", "train", "--dp", "2", "--tp", "1", "--pp", "1", "--zero", "3", "--steps", "2", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["config"]["world"] == 2 and len(data["losses"]) == 2
    rows = data["comparison"]["comm"]
    assert {(r["kind"], r["group"]) for r in rows} == {("all-gather", "dp"), ("reduce-scatter", "dp")}
    assert all(r["measured_elements"] == r["predicted_elements"] for r in rows)
    for row in data["comparison"]["memory"]:
        assert all(row[f"measured_{k}"] == row[f"predicted_{k}"] for k in ("param_bytes", "grad_bytes", "optimizer_bytes"))
    assert data["parity"]["drift"] < 1e-4
    assert result.err == ""  # no progress bar in --json mode


@pytest.mark.slow
def test_table_run_shows_the_pipeline_side_by_side(cli, tmp_path):
    picture = tmp_path / "run.svg"
    result = cli("lab", "train", "--dp", "1", "--tp", "1", "--pp", "2", "--schedule", "gpipe", "--steps", "2",
                 "--no-check", "--plot", str(picture))
    assert result.code == 0, result.err
    out = result.out
    assert "dp=1 × tp=1 × pp=2 (gpipe)" in out and "Pipeline (gpipe)" in out
    assert "≠" not in out and out.count(" = ") >= 4  # send and recv on both stages, all matching
    assert "single process" not in out  # --no-check: no baseline
    svg = picture.read_text()
    assert svg.lstrip().startswith("<?xml") and "gpipe, p=2, m=4" in svg  # the timeline's title
