"""The pictures: loss curves and the measured pipeline timeline."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from infraprep.labs.trainer.config import ModelShape, TrainConfig  # noqa: E402
from infraprep.labs.trainer.plot import draw, timeline_ops  # noqa: E402
from infraprep.labs.trainer.result import TrainResult  # noqa: E402


def _rank(stage, ops, start):
    step = {"start": start, "end": start + 1, "compute_s": 0.1, "recv_wait_s": 0.0, "update_s": 0.0,
            "peak_in_flight": 1, "ops": ops}
    return {"rank": stage, "coords": [0, 0, stage], "losses": [1.0, 0.5], "steps": [step, step],
            "comm_per_step": [], "comm_total": [], "memory": {}, "buckets": None, "peak_in_flight": 1}


def _result():
    c = TrainConfig(model=ModelShape(layers=2), pp=2, micro_batches=1, steps=2, schedule="gpipe")
    stage0 = _rank(0, [("F", 0, 100.000, 100.010), ("B", 0, 100.050, 100.070)], 100.0)
    stage1 = _rank(1, [("F", 0, 100.020, 100.030), ("B", 0, 100.030, 100.045)], 100.001)
    return TrainResult.from_reports(c, [stage0, stage1])


def test_timeline_is_in_ms_from_the_pipelines_first_start():
    ops = timeline_ops(_result())
    assert [(s, k, i) for s, k, i, _, _ in ops] == [(0, "F", 0), (0, "B", 0), (1, "F", 0), (1, "B", 0)]
    assert [round(t0, 6) for *_, t0, _ in ops] == [0.0, 50.0, 20.0, 30.0]


def test_draw_puts_one_bar_per_op_and_both_curves(tmp_path):
    fig, axes = plt.subplots(2, 1)
    draw(_result(), list(axes))
    assert len(axes[1].patches) == 4  # F0 and B0 on each stage
    assert "bubble 50%" in axes[1].get_title()  # (p − 1)/(m + p − 1) with p = 2, m = 1
    assert len(axes[0].lines) == 1  # no baseline trained: the parallel curve alone
    fig.savefig(tmp_path / "run.svg")
    plt.close(fig)
    assert (tmp_path / "run.svg").read_text().lstrip().startswith("<?xml")
