"""The ring all-reduce diagram's schedule: every rank ends with every chunk summed over all ranks."""

import pytest

from infraprep.cli.content_render import evaluate
from infraprep.diagrams.ring_allreduce import replay, ring_schedule


def test_four_rank_schedule_matches_the_hand_worked_ring():
    steps = ring_schedule(4)
    # Patarasuk & Yuan §3: step 0 of reduce-scatter, rank i sends chunk i; step 0 of all-gather, the
    # chunk it has just finished, i + 1.
    assert steps[0] == ("reduce-scatter", [(0, 1, 0), (1, 2, 1), (2, 3, 2), (3, 0, 3)])
    assert steps[2] == ("reduce-scatter", [(0, 1, 2), (1, 2, 3), (2, 3, 0), (3, 0, 1)])
    assert steps[3] == ("all-gather", [(0, 1, 1), (1, 2, 2), (2, 3, 3), (3, 0, 0)])
    assert len(steps) == 6


@pytest.mark.parametrize("p", [2, 3, 4, 5, 8])
def test_reduce_scatter_leaves_rank_i_with_chunk_i_plus_1_and_all_gather_completes(p):
    frames = replay(p)
    everyone = frozenset(range(p))
    after_rs = frames[p - 1][2]
    for rank in range(p):
        full = [c for c in range(p) if after_rs[rank][c] == everyone]
        assert full == [(rank + 1) % p]  # what the lab's ring_reduce_scatter returns
    assert all(cell == everyone for row in frames[-1][2] for cell in row)


@pytest.mark.parametrize("p", [4, 8])
def test_each_rank_sends_what_calc_collective_charges(p):
    # 2(p − 1) chunks of S/p each: the ring's two phases in `calc collective`, computed independently.
    sent = sum(src == 0 for _, transfers in ring_schedule(p) for src, _, _ in transfers)
    result = evaluate(f"collective --algo ring --ranks {p} --bytes 1e9 --bandwidth 100e9")
    assert sent * 1e9 / p == pytest.approx(sum(ph["bytes_per_rank"] for ph in result["phases"]))
