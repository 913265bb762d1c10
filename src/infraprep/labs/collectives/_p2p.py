"""Point-to-point plumbing shared by every algorithm: chunk bounds and one batched exchange.

Every algorithm runs over a *communicator* given as an ordered list of global ranks (``ranks``); the
caller's position in it is its member index. Nothing here creates process groups, so the same code
serves the whole job, a node's ranks or a ring across nodes, on gloo (CPU) and nccl (GPU).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["Bounds", "chunk_bounds", "exchange", "member_index", "post", "wait_all"]

Bounds = list[tuple[int, int]]


def chunk_bounds(numel: int, parts: int) -> Bounds:
    """Split ``numel`` elements into ``parts`` contiguous [start, end) ranges whose sizes differ by at
    most one (the first ``numel % parts`` are one longer), so any size works, not only multiples.

    >>> chunk_bounds(10, 4)
    [(0, 3), (3, 6), (6, 8), (8, 10)]
    >>> chunk_bounds(2, 4)
    [(0, 1), (1, 2), (2, 2), (2, 2)]
    """
    base, extra = divmod(numel, parts)
    out, start = [], 0
    for k in range(parts):
        end = start + base + (k < extra)
        out.append((start, end))
        start = end
    return out


def member_index(ranks: Sequence[int]) -> int:
    """This process's index in the communicator ``ranks`` (global ranks, in order)."""
    import torch.distributed as dist

    me = dist.get_rank()
    try:
        return list(ranks).index(me)
    except ValueError:
        raise ValueError(f"rank {me} is not a member of the communicator {list(ranks)}") from None


def exchange(sends: Sequence[tuple[object, int]], recvs: Sequence[tuple[object, int]],
             deferred: list | None = None) -> None:
    """Post every send and receive of one step together; wait for the receives.

    On nccl the operations are grouped (``dist.batch_isend_irecv``), which it needs when two ranks
    send to each other in the same step (a 2-rank ring); gloo gets plain isend/irecv. Empty tensors
    are skipped on both sides alike (both sides compute the same bounds).

    With ``deferred`` (a list), the sends' handles are appended to it instead of being waited for:
    the caller promises not to modify those send buffers until :func:`wait_all` (on a loaded CPU every
    wait is a context switch, so a ring step waits once instead of twice). Backends that return one
    handle for the whole batch (nccl coalescing) are waited for at once.
    """
    import torch.distributed as dist

    # Receives first: on gloo a message that arrives before its receive is posted is staged in a
    # temporary buffer and copied again.
    recvs = [(t, peer) for t, peer in recvs if t.numel()]
    sends = [(t, peer) for t, peer in sends if t.numel()]
    n_recvs = len(recvs)
    if not recvs and not sends:
        return
    if _batched():
        ops = [dist.P2POp(dist.irecv, t, peer) for t, peer in recvs]
        works = dist.batch_isend_irecv(ops + [dist.P2POp(dist.isend, t, peer) for t, peer in sends])
    else:
        works = [dist.irecv(t, peer) for t, peer in recvs] + [dist.isend(t, peer) for t, peer in sends]
    if deferred is None or len(works) != len(recvs) + len(sends):
        wait_all(works)
        return
    wait_all(works[:n_recvs])
    deferred.extend(works[n_recvs:])


def wait_all(works: list) -> None:
    """Wait for every handle and empty the list."""
    for work in works:
        work.wait()
    works.clear()


def _batched() -> bool:
    """nccl needs grouped p2p (a rank sending to and receiving from one peer at once would otherwise
    serialise on one stream); gloo's isend/irecv are already independent and batching only costs
    Python time (~0.1 ms a call on this machine, per segment of a pipelined ring)."""
    import torch.distributed as dist

    return dist.get_backend() != "gloo"


def post(send: tuple[object, int] | None, recv: tuple[object, int] | None) -> tuple[object, object]:
    """Post one receive and one send without waiting; returns (recv handle, send handle).

    Either may be None (nothing to post, or an empty tensor); with a backend that returns one handle
    for a batch (nccl), both handles are that one.
    """
    import torch.distributed as dist

    recv = recv if recv is not None and recv[0].numel() else None
    send = send if send is not None and send[0].numel() else None
    if not _batched():
        return (dist.irecv(*recv) if recv else None), (dist.isend(*send) if send else None)
    ops, kinds = [], []
    if recv:
        ops.append(dist.P2POp(dist.irecv, *recv))
        kinds.append("recv")
    if send:
        ops.append(dist.P2POp(dist.isend, *send))
        kinds.append("send")
    if not ops:
        return None, None
    works = dist.batch_isend_irecv(ops)
    if len(works) != len(ops):
        return (works[0] if recv else None), (works[0] if send else None)
    got = dict(zip(kinds, works, strict=True))
    return got.get("recv"), got.get("send")
