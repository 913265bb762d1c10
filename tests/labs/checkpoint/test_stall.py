"""labs/checkpoint/stall.py: async saves stall the training loop far less than sync saves
(side by side, best of 3)."""

import pytest

pytest.importorskip("torch")

from infraprep.labs.checkpoint.model import ModelConfig  # noqa: E402
from infraprep.labs.checkpoint.stall import measure_stalls  # noqa: E402


def test_async_stall_is_a_fraction_of_sync(tmp_path):
    r = measure_stalls(tmp_path, ModelConfig(width=256, depth=2, batch=32), steps=60, every=20, repeats=3)
    assert r["state_bytes"] > 500_000  # 2·(256·256 + 256) fp32 params ×3 (Adam) ≈ 0.53 MB
    assert r["saves_per_run"] == 3
    # sync = serialize + write + fsync + rename; async = a memory copy. Measured ≈ 0.1 here.
    assert r["async_to_sync_ratio"] < 0.5, r
