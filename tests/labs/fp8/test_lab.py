"""The FP8 lab end to end."""

import pytest

from infraprep.labs.fp8.lab import STEPS, run_lab


@pytest.mark.slow
def test_lab_runs_every_part():
    seen = []
    lab = run_lab(seed=1, tokens=64, channels=256, progress=lambda label, done, total: seen.append(label))
    assert seen == [*STEPS, "done"]
    data = lab.to_dict()
    assert len(data["granularity_errors"]) == 8 and len(data["roofline"]) == 14
    assert all(r["semantics"]["passed"] for r in data["scaled_mm"])
    assert data["scaling_summary"]["delayed"]["max_saturated"] > data["scaling_summary"]["current"]["max_saturated"]
    assert run_lab(seed=1, tokens=64, channels=256).to_dict() == data  # same seed, same output
