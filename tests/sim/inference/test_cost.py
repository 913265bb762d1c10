"""The roofline cost model against hand-computed decode and prefill times."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc.hardware import get_accelerator
from infraprep.calc.model import count_params, get_model
from infraprep.errors import InvalidValue
from infraprep.sim.inference.cost import CostModel

H100 = get_accelerator("h100-sxm")
LLAMA8 = get_model("llama3-8b")


def test_one_decode_token_is_a_weight_read():
    cost = CostModel(LLAMA8, H100)
    weights = 8_030_261_248 * 2  # Llama-3-8B, BF16
    kv = 2 * 32 * 8 * 128 * 2 * (1000 + 1)  # context 1000 read, one row written
    expected = (weights + kv) / (3.35e12 * 0.8) + 0.5e-3
    assert cost.iteration_time(tokens=1, pairs=1000, kv_reads=1000, logit_rows=1) == pytest.approx(expected, rel=1e-12)


def test_a_long_prefill_is_compute_bound():
    cost = CostModel(LLAMA8, H100)
    p = count_params(LLAMA8)
    t = 4096
    pairs = t * (t + 1) // 2
    flops = 2 * (p.active - p.embedding - p.output) * t + 4 * 32 * 32 * 128 * pairs + 2 * 4096 * 128256
    assert cost.iteration_time(t, pairs, t, 1) == pytest.approx(flops / (989.4e12 * 0.6) + 0.5e-3, rel=1e-12)


def test_the_compute_memory_crossover_sits_near_the_ridge_point():
    """Without attention, time(T) = max(2·N·T/F, W/B): flat until T* = W·F / (2·N·B), then linear."""
    cost = CostModel(LLAMA8, H100)
    p = count_params(LLAMA8)
    n_lin, weights = p.active - p.embedding - p.output, p.total * 2
    crossover = weights * 989.4e12 * 0.6 / (2 * n_lin * 3.35e12 * 0.8)
    flat = cost.iteration_time(int(crossover * 0.5), 0, 0, 0)
    assert cost.iteration_time(1, 0, 0, 0) == pytest.approx(flat, rel=0.02)  # memory-bound: batch is ~free
    assert cost.iteration_time(int(crossover * 4), 0, 0, 0) > 3 * flat


def test_moe_decode_reads_only_the_routed_experts():
    mixtral = get_model("mixtral-8x7b")
    cost = CostModel(mixtral, H100)
    p = count_params(mixtral)
    dense = (p.total - p.expert * 8 * 32) * 2
    assert cost.weight_bytes_read(1) == pytest.approx(dense + 2 * p.expert * 32 * 2)  # top-2 of 8
    assert cost.weight_bytes_read(10_000) == pytest.approx(p.total * 2)  # a big batch touches all


def test_tensor_parallel_splits_work_and_adds_all_reduces():
    big = get_model("llama3-70b")
    one, eight = CostModel(big, H100, tp=1), CostModel(big, H100, tp=8)
    assert eight.iteration_time(1, 1000, 1000, 1) < one.iteration_time(1, 1000, 1000, 1) / 4
    no_comm = eight.weight_bytes_read(1) / (3.35e12 * 0.8)
    assert eight.iteration_time(1, 0, 0, 0) > no_comm + 0.5e-3  # the 160 all-reduces cost something
    with pytest.raises(InvalidValue, match="--tp=2"):
        CostModel(big, get_accelerator("tpu-v4"), tp=2)


@given(st.integers(1, 20_000), st.integers(0, 10**7), st.integers(0, 10**5))
def test_more_work_never_takes_less_time(tokens, pairs, reads):
    cost = CostModel(LLAMA8, H100)
    base = cost.iteration_time(tokens, pairs, reads, 1)
    assert cost.iteration_time(tokens + 1, pairs, reads, 1) >= base
    assert cost.iteration_time(tokens, pairs + 1000, reads, 1) >= base
    assert cost.iteration_time(tokens, pairs, reads + 1000, 1) >= base
