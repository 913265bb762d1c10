"""The meter's counting convention, kind by kind (torch.distributed replaced by recorders)."""

import pytest
import torch
import torch.distributed as dist

from infraprep.labs.trainer.layout import Group
from infraprep.labs.trainer.meter import CommMeter


@pytest.fixture
def calls(monkeypatch):
    seen = []

    def recorder(name):
        def call(*args, **kwargs):
            seen.append(name)

        return call

    for name in ("all_reduce", "reduce_scatter_single", "all_gather_single", "broadcast", "isend", "recv"):
        monkeypatch.setattr(dist, name, recorder(name))
    return seen


def row(meter, kind):
    (r,) = [x for x in meter.report() if x["kind"] == kind]
    return r


def test_each_kind_counts_the_whole_tensor_and_ring_bytes(calls):
    meter, g4 = CommMeter(), Group("dp", object(), [0, 1, 2, 3], 1)
    full, shard = torch.zeros(400), torch.zeros(100)
    meter.all_reduce(full, g4)
    meter.reduce_scatter(shard, full, g4)
    meter.all_gather(full, shard, g4)
    meter.broadcast(torch.zeros(10), 0, g4)  # we are index 1: a receiver
    meter.isend(torch.zeros(7, dtype=torch.float64), 3, "pp")
    meter.recv(torch.zeros(7), 3, "pp")
    assert calls == ["all_reduce", "reduce_scatter_single", "all_gather_single", "broadcast", "isend", "recv"]
    # Ring algorithms (Patarasuk & Yuan 2009): all-reduce sends 2N(n−1)/n, RS and AG N(n−1)/n each.
    assert row(meter, "all-reduce") == {"kind": "all-reduce", "group": "dp", "calls": 1, "elements": 400,
                                        "bytes": 1600, "ring_bytes_sent": 2 * 1600 * 3 / 4}
    assert (row(meter, "reduce-scatter")["elements"], row(meter, "reduce-scatter")["ring_bytes_sent"]) == (400, 1600 * 3 / 4)
    assert (row(meter, "all-gather")["elements"], row(meter, "all-gather")["ring_bytes_sent"]) == (400, 1600 * 3 / 4)
    assert (row(meter, "broadcast")["elements"], row(meter, "broadcast")["ring_bytes_sent"]) == (10, 0)
    assert (row(meter, "send")["bytes"], row(meter, "send")["ring_bytes_sent"]) == (56, 56)  # fp64: 8 B
    assert (row(meter, "recv")["bytes"], row(meter, "recv")["ring_bytes_sent"]) == (28, 0)
    assert [r["kind"] for r in meter.report()] == ["all-reduce", "reduce-scatter", "all-gather", "broadcast", "send", "recv"]


def test_calls_accumulate_and_paused_traffic_is_not_counted(calls):
    meter, g2 = CommMeter(), Group("tp", object(), [0, 1], 0)
    for _ in range(3):
        meter.all_reduce(torch.zeros(5), g2)
    with meter.paused():
        meter.all_reduce(torch.zeros(1000), g2)
    assert (row(meter, "all-reduce")["calls"], meter.elements("all-reduce", "tp")) == (3, 15)
    assert len(calls) == 4  # the paused call still ran


def test_a_group_of_one_moves_nothing_and_counts_nothing(calls):
    meter, g1 = CommMeter(), Group("dp", None, [0], 0)
    full, shard = torch.arange(4.0), torch.empty(4)
    meter.all_reduce(full, g1)
    meter.reduce_scatter(shard, full, g1)
    assert torch.equal(shard, full)  # still the right result
    assert meter.all_gather(torch.empty(4), full, g1, async_op=True).wait()
    assert calls == [] and meter.report() == []
