"""labs/collectives/_p2p.py: chunk bounds for any size (the part that needs no ranks)."""

from hypothesis import given
from hypothesis import strategies as st

from infraprep.labs.collectives._p2p import chunk_bounds


@given(st.integers(0, 10**7), st.integers(1, 64))
def test_chunks_tile_the_buffer_evenly(numel, parts):
    bounds = chunk_bounds(numel, parts)
    assert len(bounds) == parts and bounds[0][0] == 0 and bounds[-1][1] == numel
    assert all(a[1] == b[0] for a, b in zip(bounds[:-1], bounds[1:], strict=True))
    sizes = [e - s for s, e in bounds]
    assert max(sizes) - min(sizes) <= 1 and sizes == sorted(sizes, reverse=True)
