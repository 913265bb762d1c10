"""The attention lab end to end on small sizes."""

import pytest

from infraprep.labs.attention.lab import STEPS, run_lab


@pytest.mark.slow
def test_lab_passes_and_counts_equal_closed_forms():
    seen = []
    lab = run_lab(n=64, d=16, causal=True, srams=[64, 256, 1024], triton=False,
                  progress=lambda label, done, total: seen.append(label))
    assert seen == [*STEPS, "done"]
    assert all(v.passed for v in lab.forward.values()) and lab.backward.passed
    for row in lab.io:
        assert lab.counted[row.sram] == {"kv_outer": row.flash, "q_outer": row.flash2}
    assert lab.skipped == {"triton": "not requested"} and lab.to_dict()["forward_shapes_checked"] > 100
