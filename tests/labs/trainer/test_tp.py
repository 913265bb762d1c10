"""Tensor and sequence parallelism: exactly the collectives Megatron-LM and Korthikanti et al. place."""

import pytest

from tests.labs.trainer.helpers import kinds, measured, stage_ranks


def _ring_bytes(result, stage, kind, group):
    (value,) = {next((x["ring_bytes_sent"] for x in r["comm_per_step"] if (x["kind"], x["group"]) == (kind, group)), 0.0)
                for r in stage_ranks(result, stage)}
    return value


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tp", "3d"])
def test_tp_two_all_reduces_per_layer_per_pass(runs, name):
    """Megatron-LM (Shoeybi et al. 2019) §3: g after attention and after the MLP in the forward pass,
    f before each in the backward pass — 4 all-reduces of the (s, b, h) activation per layer per micro-batch."""
    result = runs[name]
    c = result.config
    a = c.model.seq * c.micro_batch_size * c.model.hidden
    layers = c.model.layers // c.pp
    for stage in range(c.pp):
        assert measured(result, stage, "all-reduce", "tp") == layers * c.micro_batches * (2 + 2) * a
        assert {row["calls"] for r in stage_ranks(result, stage) for row in r["comm_per_step"]
                if (row["kind"], row["group"]) == ("all-reduce", "tp")} == {4 * layers * c.micro_batches}
        assert {k for k in kinds(result, stage) if k[1] == "tp"} == {("all-reduce", "tp")}


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tp-sp", "3d-sp-zero1"])
def test_sp_swaps_each_all_reduce_for_all_gather_and_reduce_scatter(runs, name):
    """Korthikanti et al. 2022 §4.2.2: per layer, g is all-gather forward / reduce-scatter backward and
    ḡ reduce-scatter forward / all-gather backward — 4 of each of (s, b, h) per micro-batch. At the
    edges: the embedding enters the sequence split by slicing (all-gather backward) and the head
    leaves it by an all-gather (slice backward). LayerNorms see a sequence shard, so their gradients
    (scale + bias, 2h) are summed over TP: one all-reduce per LayerNorm per micro-batch."""
    result = runs[name]
    c = result.config
    a, h = c.model.seq * c.micro_batch_size * c.model.hidden, c.model.hidden
    layers, m = c.model.layers // c.pp, c.micro_batches
    for stage in range(c.pp):
        first, last = stage == 0, stage == c.pp - 1
        assert measured(result, stage, "all-gather", "tp") == (4 * layers + first + last) * m * a
        assert measured(result, stage, "reduce-scatter", "tp") == 4 * layers * m * a
        assert measured(result, stage, "all-reduce", "tp") == (2 * layers + last) * m * 2 * h


@pytest.mark.slow
def test_sp_moves_the_same_bytes_as_tp_in_the_blocks(runs):
    """A ring all-reduce is a reduce-scatter plus an all-gather (2N(t−1)/t = N(t−1)/t + N(t−1)/t), so
    the blocks' traffic is unchanged by SP (Korthikanti et al. 2022 §4.2.2); only the two edge
    all-gathers and the LayerNorm all-reduces are extra."""
    tp, sp = runs["tp"], runs["tp-sp"]
    c = sp.config
    a_bytes = 4 * c.model.seq * c.micro_batch_size * c.model.hidden
    edges = 2 * c.micro_batches * a_bytes * (c.tp - 1) / c.tp  # one all-gather at each end, pp = 1
    blocks = _ring_bytes(sp, 0, "all-gather", "tp") + _ring_bytes(sp, 0, "reduce-scatter", "tp") - edges
    assert blocks == pytest.approx(_ring_bytes(tp, 0, "all-reduce", "tp"), rel=1e-12)
