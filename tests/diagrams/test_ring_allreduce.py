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


def _lab_sends(p: int, monkeypatch) -> list[tuple[int, int, int]]:
    """(sender, receiver, chunk) of every transfer the collectives lab's ring posts, in order per
    member, recorded by replacing its point-to-point ``post`` (no process group is needed)."""
    torch = pytest.importorskip("torch")
    from infraprep.labs.collectives import ring
    from infraprep.labs.collectives._p2p import chunk_bounds

    bounds = chunk_bounds(4 * p, p)
    starts = [a for a, _ in bounds]
    per_member = []
    for me in range(p):
        calls = []

        def fake_post(send, recv, calls=calls, me=me):
            tensor, peer = send
            calls.append((me, peer, starts.index(tensor.storage_offset())))
            return None, None

        monkeypatch.setattr(ring, "post", fake_post)
        monkeypatch.setattr(ring, "member_index", lambda ranks, me=me: me)
        buf = torch.zeros(4 * p)
        ring.ring_reduce_scatter(buf, list(range(p)), bounds, segment_bytes=1 << 30)  # one segment per chunk
        ring.ring_all_gather(buf, list(range(p)), bounds, segment_bytes=1 << 30)
        per_member.append(calls)
    # interleave: step s of every member
    return [per_member[me][s] for s in range(2 * (p - 1)) for me in range(p)]


@pytest.mark.parametrize("p", [3, 4, 5])
def test_schedule_is_the_labs_own(p, monkeypatch):
    drawn = [t for _, transfers in ring_schedule(p) for t in transfers]
    assert _lab_sends(p, monkeypatch) == drawn
