"""Ring all-reduce = ring reduce-scatter + ring all-gather (Patarasuk & Yuan 2009, JPDC 69(2), §3).

On p members, member i sends to i+1 and receives from i−1 (mod p). The buffer is cut into p chunks
(:func:`chunk_bounds`, any size). Reduce-scatter: at step s member i sends chunk (i−s) and adds the
incoming chunk (i−s−1) into its own copy; after p−1 steps member i holds chunk (i+1) fully reduced.
All-gather: p−1 more steps pass the finished chunks around, received straight into place::

    step s of reduce-scatter (p = 4, chunk indices):   0 ─c0→ 1 ─c1→ 2 ─c2→ 3 ─c3→ 0   (s = 0)

Each member moves 2(p−1)/p of the buffer each way — the bandwidth lower bound. A chunk is reduced in
one order along the ring and then copied, so every member ends with bit-identical results.

Pipelining: each chunk is cut into S segments of at most ``segment_bytes`` and the (step, segment)
transfers flow in order with two receives in flight: while segment t is on the wire, segment t−2 is
added. Adding a cache-sized segment right after it lands, rather than a whole chunk after a whole
chunk, is what keeps the reduction out of main memory (gloo's ring does the same, gloo/allreduce.cc).
Transfer (s, j) may be sent once (s−1, j) has been added, which is S ≥ 2 transfers earlier.
"""

from __future__ import annotations

from collections.abc import Sequence

from infraprep.labs.collectives._p2p import Bounds, chunk_bounds, member_index, post, wait_all

__all__ = ["DEFAULT_SEGMENT_BYTES", "ring_all_gather", "ring_allreduce", "ring_reduce_scatter"]

DEFAULT_SEGMENT_BYTES = 1 << 20


def _segments(buf, bounds: Bounds, segment_bytes: int) -> tuple[int, list[Bounds]]:
    widest = max(e - s for s, e in bounds)
    count = max(1, -(-widest * buf.element_size() // segment_bytes))
    return count, [[(s + a, s + b) for a, b in chunk_bounds(e - s, count)] for s, e in bounds]


def _flow(buf, ranks: Sequence[int], bounds: Bounds, segment_bytes: int, reduce: bool) -> None:
    """Run the p−1 steps of one ring phase, segment by segment, two receives in flight.

    Reduce-scatter (``reduce``): send segment j of chunk (i−s), receive chunk (i−s−1)'s into scratch and
    add it. All-gather: send segment j of chunk (i+1−s), receive chunk (i−s)'s straight into place.
    """
    import torch

    p, i = len(ranks), member_index(ranks)
    right, left = ranks[(i + 1) % p], ranks[(i - 1) % p]
    count, segs = _segments(buf, bounds, segment_bytes)
    window = min(2, count)
    first = 0 if reduce else 1
    transfers = [(s, j) for s in range(p - 1) for j in range(count)]
    width = max(b - a for chunk in segs for a, b in chunk)
    scratch = torch.empty(window * width, dtype=buf.dtype, device=buf.device) if reduce else None
    pending, sent = {}, []
    for t in range(len(transfers) + window):
        if t >= window:  # the receive posted `window` transfers ago: wait, then add it in
            s, j = transfers[t - window]
            handle, target, landed = pending.pop(t - window)
            if handle is not None:
                handle.wait()
            if reduce:
                target.add_(landed)
        if t < len(transfers):
            s, j = transfers[t]
            a, b = segs[(i + first - s) % p][j]
            c, d = segs[(i + first - s - 1) % p][j]
            if reduce:
                landed = scratch[(t % window) * width:(t % window) * width + d - c]
                recv_into = landed
            else:
                landed = recv_into = buf[c:d]
            handle, send_handle = post((buf[a:b], right), (recv_into, left))
            pending[t] = (handle, buf[c:d], landed)
            if send_handle is not None and send_handle is not handle:
                sent.append(send_handle)
    wait_all(sent)  # a segment once sent is never written again in this phase


def ring_reduce_scatter(buf, ranks: Sequence[int], bounds: Bounds,
                        segment_bytes: int = DEFAULT_SEGMENT_BYTES) -> int:
    """Reduce-scatter ``buf`` (1-D, in place) over the ring ``ranks`` with one chunk per member.

    Returns the index of the chunk this member now holds fully reduced: (i + 1) mod p.
    """
    _flow(buf, ranks, bounds, segment_bytes, reduce=True)
    return (member_index(ranks) + 1) % len(ranks)


def ring_all_gather(buf, ranks: Sequence[int], bounds: Bounds, segment_bytes: int = DEFAULT_SEGMENT_BYTES) -> None:
    """All-gather in place: member i starts holding chunk (i + 1) mod p and ends with all chunks."""
    _flow(buf, ranks, bounds, segment_bytes, reduce=False)


def ring_allreduce(buf, ranks: Sequence[int], segment_bytes: int = DEFAULT_SEGMENT_BYTES) -> None:
    """Sum-all-reduce the 1-D tensor ``buf`` in place over the members ``ranks``."""
    if len(ranks) < 2 or buf.numel() == 0:
        return
    bounds = chunk_bounds(buf.numel(), len(ranks))
    ring_reduce_scatter(buf, ranks, bounds, segment_bytes)
    ring_all_gather(buf, ranks, bounds, segment_bytes)
