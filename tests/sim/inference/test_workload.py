"""Workloads: seeded, the requested rates and lengths, sessions whose prompts carry their history."""

import math

import pytest

from infraprep.errors import InvalidValue
from infraprep.sim.inference.workload import SimRequest, WorkloadConfig, generate_sessions


def test_same_seed_same_workload():
    a = generate_sessions(WorkloadConfig(requests=200, seed=3))
    assert a == generate_sessions(WorkloadConfig(requests=200, seed=3))
    assert a != generate_sessions(WorkloadConfig(requests=200, seed=4))


def test_poisson_rate_and_bursty_clumping():
    n, rate = 20_000, 50.0
    gaps = _gaps(WorkloadConfig(requests=n, rate=rate, seed=1))
    mean = sum(gaps) / len(gaps)
    assert mean == pytest.approx(1 / rate, rel=0.03)  # exponential gaps: std error 1/sqrt(n) ≈ 0.7%
    assert _cv2(gaps, mean) == pytest.approx(1.0, rel=0.1)
    bursty = _gaps(WorkloadConfig(requests=n, rate=rate, arrival="bursty", burstiness=4.0, seed=1))
    assert sum(bursty) / len(bursty) == pytest.approx(1 / rate, rel=0.05)
    assert _cv2(bursty, sum(bursty) / len(bursty)) == pytest.approx(4.0, rel=0.2)
    assert {s.arrival for s in generate_sessions(WorkloadConfig(requests=50, arrival="burst"))} == {0.0}


def _gaps(config):
    arrivals = [s.arrival for s in generate_sessions(config)]
    return [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]


def _cv2(gaps, mean):
    return sum((g - mean) ** 2 for g in gaps) / len(gaps) / mean**2


def test_chat_lengths_have_the_median_and_a_long_tail():
    specs = generate_sessions(WorkloadConfig(requests=20_000, prompt_len=256, output_len=128, max_len=8192, seed=2))
    prompts = sorted(s.user[0] for s in specs)
    outputs = sorted(s.output[0] for s in specs)
    assert prompts[len(prompts) // 2] == pytest.approx(256, rel=0.05)
    assert outputs[len(outputs) // 2] == pytest.approx(128, rel=0.05)
    # lognormal, log-sigma 1.0: mean = median · e^(σ²/2) ≈ 1.65 × median
    assert sum(prompts) / len(prompts) == pytest.approx(256 * math.exp(0.5), rel=0.06)
    assert all(s.user[0] + s.output[0] <= 8192 for s in specs)
    fixed = generate_sessions(WorkloadConfig(requests=10, lengths="fixed", prompt_len=100, output_len=7))
    assert {(s.user[0], s.output[0]) for s in fixed} == {(100, 7)}


def test_sessions_grow_their_history_within_max_len():
    config = WorkloadConfig(requests=400, turns=4, system_prompt=64, max_len=2048, seed=5)
    specs = generate_sessions(config)
    assert sum(len(s.user) for s in specs) <= 400
    for spec in specs:
        history = 64
        for k in range(len(spec.user)):
            assert spec.prompt_len(k, 64) == history + spec.user[k]
            assert spec.prompt_len(k, 64) + spec.output[k] <= 2048
            history += spec.user[k] + spec.output[k]


def test_block_keys_share_the_system_prompt_and_the_session_only():
    spec = generate_sessions(WorkloadConfig(requests=2, turns=2, system_prompt=40, seed=0))[0]
    a = SimRequest(0, spec, 0, 0.0, 40, block_size=16)
    b = SimRequest(1, spec, 1, 9.0, 40, block_size=16)
    other = SimRequest(2, generate_sessions(WorkloadConfig(requests=4, seed=0))[1], 0, 0.0, 40, block_size=16)
    assert a.block_key(0) == other.block_key(1 - 1) == ("sys", 0) and a.block_key(1) == ("sys", 1)
    assert a.block_key(2) != other.block_key(2)  # block 2 spans tokens 32-47: past the 40-token system prompt
    assert a.block_key(5) == b.block_key(5) and b.prompt_len > a.prompt_len + a.max_new_tokens - 1


@pytest.mark.parametrize(("field", "value", "match"), [
    ("rate", 0.0, "--rate=0.0"), ("arrival", "uniform", "--arrival='uniform'"), ("lengths", "zipf", "--lengths"),
    ("prompt_len", 5000, "--prompt-len=5000"), ("turns", 0, "--turns=0"), ("system_prompt", 4000, "--system-prompt"),
])
def test_bad_workloads_name_the_option(field, value, match):
    with pytest.raises(InvalidValue, match=match):
        WorkloadConfig(**{field: value})
