"""The whole kernels lab on the simulator: every verdict passes and the counts are the closed forms."""

import shutil

import pytest

from infraprep.labs.kernels.lab import STEPS, run_lab


@pytest.mark.slow
def test_lab_on_the_simulator():
    seen = []
    lab = run_lab(16, 16, 16, tile=8, cuda_cpp=shutil.which("g++") is not None,
                  progress=lambda label, done, total: seen.append((label, done, total)))
    assert [s[0] for s in seen] == [*STEPS, "done"] and {s[2] for s in seen} == {len(STEPS)}
    assert all(v.passed for v in lab.verdicts.values()), lab.verdicts
    assert lab.loads == {"naive": 2 * 16**3, "tiled": 2 * 16**3 // 8} == lab.loads_closed_form
    assert lab.load_ratio == 1 / 8
    assert lab.conflicts == {"pad0": {"store": 1, "load": 32}, "pad1": {"store": 1, "load": 1}}
    assert lab.reduction["tree"]["barriers"] == 7 and lab.reduction["shuffle"]["barriers"] == 1
    data = lab.to_dict()
    assert data["tiled_over_naive"] == data["one_over_tile"] == 0.125
