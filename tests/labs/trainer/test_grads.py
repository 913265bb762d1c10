"""DP: every gradient summed once per step, in buckets launched while backward runs."""

import pytest
import torch

from infraprep.labs.trainer.grads import BucketedAllReduce
from infraprep.labs.trainer.layout import Group
from infraprep.labs.trainer.meter import CommMeter
from tests.labs.trainer.helpers import measured, psi, stage_ranks


def test_buckets_fill_in_reverse_order_and_only_the_armed_backward_launches():
    params = [torch.nn.Parameter(torch.ones(n)) for n in (4, 3, 5, 2)]
    b = BucketedAllReduce(params, CommMeter(), Group("dp", None, [0], 0), bucket_elements=6)
    assert [[p.numel() for p in bucket] for bucket in b.buckets] == [[2, 5], [3, 4]]  # reverse forward order
    loss = sum((p * (i + 1)).sum() for i, p in enumerate(params))
    loss.backward(retain_graph=True)
    assert b.launched_during_backward == 0 and b._inflight == []  # not armed: accumulation only
    b.arm()
    loss.backward()
    assert b.launched_during_backward == 2
    b.finish()
    assert [p.grad[0].item() for p in params] == [2.0, 4.0, 6.0, 8.0]  # one rank: the sums are the grads


@pytest.mark.slow
@pytest.mark.parametrize("name", ["dp", "3d"])
def test_dp_all_reduces_every_local_gradient_once_per_step(runs, name):
    """ZeRO (Rajbhandari et al. 2020) §7.1: plain DP all-reduces the Ψ gradients of a replica once per
    step — here Ψ of the rank's TP/PP slice, after m micro-batches accumulated locally."""
    result = runs[name]
    c = result.config
    for stage in range(c.pp):
        assert measured(result, stage, "all-reduce", "dp") == psi(c, stage)


@pytest.mark.slow
def test_every_bucket_is_launched_from_inside_backward(runs):
    c = runs["dp"].config
    for r in stage_ranks(runs["dp"], 0):
        sizes = r["buckets"]["sizes"]
        assert len(sizes) > 1 and sum(sizes) == psi(c, 0)
        assert all(s >= c.bucket_elements for s in sizes[:-1])
        # overlap: all buckets started from the gradient hooks, i.e. before backward returned
        assert r["buckets"]["launched_during_backward"] == len(sizes)
        (row,) = [x for x in r["comm_per_step"] if x["kind"] == "all-reduce"]
        assert row["calls"] == len(sizes)


def test_a_parameter_without_gradient_contributes_zeros():
    used, unused = torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(2))
    b = BucketedAllReduce([used, unused], CommMeter(), Group("dp", None, [0], 0), bucket_elements=1)
    b.arm()
    (used * 2).sum().backward()
    b.finish()
    assert used.grad.tolist() == [2.0] * 3 and unused.grad.tolist() == [0.0, 0.0]
