"""sim/failures/study.py: MTBF ∝ 1/N from component-level simulation, determinism, validation."""

import math

import numpy as np
import pytest

from infraprep.errors import InvalidValue
from infraprep.sim.failures.study import LLAMA3_PER_GPU_MTBF_H, FailureStudy, llama3_causes, run_study

SMALL = dict(failures=20_000, scale_failures=1_000, scale_gpus=(1024, 4096, 16384, 100_000),
             restarts_s=(60.0, 600.0), spares=(0, 8))


def test_llama3_preset_rate():
    assert LLAMA3_PER_GPU_MTBF_H == pytest.approx(16384 * 1296 / 419)
    assert sum(share for _, share in llama3_causes()) == pytest.approx(1.0)


@pytest.mark.parametrize("dist", ["exponential", "weibull"])
def test_mtbf_scales_as_one_over_n(dist):
    r = run_study(FailureStudy(dist=dist, shape=0.7, seed=1, **SMALL))
    gpus = np.array([row["gpus"] for row in r.scaling], dtype=float)
    mtbf = np.array([row["mc_mtbf_h"] for row in r.scaling])
    counts = np.array([row["failures"] for row in r.scaling], dtype=float)
    slope = np.polyfit(np.log(gpus), np.log(mtbf), 1)[0]
    assert slope == pytest.approx(-1.0, abs=0.03)
    # MTBF·N is the same at every scale within Poisson noise (4σ of the smallest count)
    level = mtbf * gpus
    assert np.all(np.abs(level / level[-1] - 1) < 4 / np.sqrt(counts) + 4 / math.sqrt(counts[-1]))
    if dist == "exponential":  # and equals the per-GPU MTBF
        assert np.all(np.abs(level / LLAMA3_PER_GPU_MTBF_H - 1) < 4 / np.sqrt(counts))


def test_same_seed_same_output_and_daly_agreement():
    a = run_study(FailureStudy(seed=3, **SMALL)).to_dict()
    b = run_study(FailureStudy(seed=3, **SMALL)).to_dict()
    c = run_study(FailureStudy(seed=4, **SMALL)).to_dict()
    assert a == b and a != c
    assert abs(a["interval"]["mc_vs_daly"]) < 0.05
    assert a["sampled_job_mtbf_h"] == pytest.approx(a["job_mtbf_h"], rel=0.03)


def test_decreasing_hazard_stretches_the_optimum():
    # One Weibull process of shape 0.5 (bursty failures): Daly's exponential formula no longer holds —
    # many failures come soon after a restart, so the best interval is longer than Daly's.
    r = run_study(FailureStudy(dist="weibull", shape=0.5, causes=(("all", 1.0),), seed=2, **SMALL))
    assert r.interval["mc_vs_daly"] > 0.1


@pytest.mark.parametrize("kwargs, option", [
    (dict(gpus=0), "--gpus"), (dict(write_time_s=-1.0), "--write-time"), (dict(dist="gamma"), "--dist"),
    (dict(failures=10), "--samples"), (dict(spares=(-1,)), "--spares"), (dict(write_time_s=1e9), "--write-time"),
    (dict(restart_s=float("nan")), "--restart"), (dict(scale_gpus=(0,)), "--scale"),
])
def test_invalid_study(kwargs, option):
    with pytest.raises(InvalidValue, match=option):
        FailureStudy(**kwargs)
