"""Fragmentation lab: exact shares on a hand trace, and the ordering the vLLM paper reports."""

import pytest

from infraprep.errors import InvalidValue
from infraprep.labs.paging.fragmentation import TraceRequest, make_trace, run_all, run_allocator


def test_one_request_exact_shares():
    """One request, prompt 3, output 2 (final 5), max_len 8, pool 8. It runs for steps with lengths
    3, 4, 5 (finishing at 5). Max-length reserves 8: internal 3 slots always, reservation 2, 1, 0."""
    trace = [TraceRequest(0, 3, 2)]
    s = run_allocator("max-length", trace, capacity=8, max_len=8)
    assert s.steps == 3
    assert s.token_states == pytest.approx((3 + 4 + 5) / 3 / 8)
    assert s.reserved == pytest.approx((2 + 1 + 0) / 3 / 8)
    assert s.internal == pytest.approx(3 / 8)
    paged = run_allocator("paged-4", trace, capacity=8, max_len=8)  # lengths 3, 4, 5 in 1, 1, 2 blocks
    assert paged.internal == pytest.approx(((4 - 3) + (4 - 4) + (8 - 5)) / 3 / 8)
    assert paged.reserved == 0 and paged.external == 0


def test_contiguous_holes_strand_memory():
    """Pool 10, oracle reservations: A [0,3), B [3,7), C [7,10). A and C end after one step; B
    lives on. D needs 5 contiguous slots: 6 are free, in two holes of 3, for two steps."""
    trace = [TraceRequest(0, 2, 1), TraceRequest(0, 1, 3), TraceRequest(0, 2, 1), TraceRequest(0, 4, 1)]
    s = run_allocator("oracle", trace, capacity=10, max_len=10)
    assert s.steps == 6  # 4 with A/B/C, then D alone for 2
    assert s.external == pytest.approx((6 + 6) / 6 / 10)
    assert run_allocator("paged-1", trace, capacity=10, max_len=10).external == 0


def test_paging_keeps_more_token_states_and_runs_more_sequences():
    trace = make_trace(600, seed=0, rate=1.0)
    stats = {s.name: s for s in run_all(trace, capacity=32768, max_len=2048, block_sizes=(1, 16, 128))}
    order = ["max-length", "pow2", "oracle", "paged-16"]
    states = [stats[k].token_states for k in order]
    assert states == sorted(states)  # vLLM Fig. 2: Max < Pow2 < Oracle < paged
    assert stats["paged-16"].mean_running >= 2 * stats["max-length"].mean_running
    assert stats["max-length"].internal > 0.3 > stats["paged-128"].internal > stats["paged-16"].internal
    assert stats["paged-16"].internal < 16 / 2048 * stats["paged-16"].mean_running  # ≤ one block per sequence
    for s in stats.values():
        total = s.token_states + s.reserved + s.internal + s.external + s.free
        assert total == pytest.approx(1.0)


def test_bad_inputs():
    with pytest.raises(InvalidValue, match="--capacity"):
        run_allocator("oracle", [TraceRequest(0, 1, 1)], capacity=10, max_len=2048)
    with pytest.raises(InvalidValue, match="allocator='buddy'"):
        run_allocator("buddy", [TraceRequest(0, 1, 1)], capacity=4096)
