"""Recursive doubling and recursive halving-doubling (Rabenseifner) all-reduce.

Both work on p' = 2^⌊lg p⌋ members; with r = p − p' extra members, MPICH's fold applies (Thakur,
Rabenseifner & Gropp 2005, IJHPCA 19(1), "Allreduce"): among the first 2r members each even one
hands its vector to its odd neighbour, which adds it and takes part as virtual member ⌊i/2⌋; members
i ≥ 2r become virtual member i − r. At the end the odd members hand the result back.

* recursive doubling: lg p' steps; at step k virtual member v exchanges the *whole* vector with
  v xor 2^k and adds — latency-optimal, bandwidth lg p'·S.
* Rabenseifner: reduce-scatter by recursive halving (at each step keep half of the current range,
  send the other half to v xor mask, mask = p'/2 … 1), then all-gather by recursive doubling in the
  reverse order — 2 lg p' steps, 2(p'−1)/p'·S bytes.

IEEE addition is commutative, so partners computing mine + theirs and theirs + mine agree bit for bit,
and halving reduces each chunk once before it is copied: every member ends with identical results.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from infraprep.labs.collectives._p2p import chunk_bounds, exchange, member_index, wait_all

__all__ = ["rd_allreduce", "rhd_allreduce"]


class _Fold:
    """The non-power-of-two fold: who is virtual member v, and the real index of a virtual member."""

    def __init__(self, p: int, i: int) -> None:
        self.q = 1 << (p.bit_length() - 1)
        self.extra = p - self.q
        if i < 2 * self.extra:
            self.virtual = None if i % 2 == 0 else i // 2
        else:
            self.virtual = i - self.extra

    def real(self, v: int) -> int:
        return 2 * v + 1 if v < self.extra else v + self.extra


def _fold_in(buf, scratch, ranks: Sequence[int], i: int, fold: _Fold) -> None:
    if i < 2 * fold.extra:
        if i % 2 == 0:
            exchange([(buf, ranks[i + 1])], [])
        else:
            exchange([], [(scratch, ranks[i - 1])])
            buf.add_(scratch)


def _fold_out(buf, ranks: Sequence[int], i: int, fold: _Fold) -> None:
    if i < 2 * fold.extra:
        if i % 2 == 0:
            exchange([], [(buf, ranks[i + 1])])
        else:
            exchange([(buf, ranks[i - 1])], [])


def _folded(buf, ranks: Sequence[int], body: Callable) -> None:
    """Fold the extra members in, run ``body(buf, scratch, fold)`` on the 2^k virtual members, fold out."""
    import torch

    if len(ranks) < 2 or buf.numel() == 0:
        return
    i = member_index(ranks)
    fold = _Fold(len(ranks), i)
    scratch = torch.empty_like(buf)
    _fold_in(buf, scratch, ranks, i, fold)
    if fold.virtual is not None:
        body(buf, scratch, fold)
    _fold_out(buf, ranks, i, fold)


def rd_allreduce(buf, ranks: Sequence[int]) -> None:
    """Sum-all-reduce ``buf`` in place by recursive doubling over the members ``ranks``."""

    def doubling(buf, scratch, fold):
        mask = 1
        while mask < fold.q:
            partner = ranks[fold.real(fold.virtual ^ mask)]
            exchange([(buf, partner)], [(scratch, partner)])
            buf.add_(scratch)
            mask <<= 1

    _folded(buf, ranks, doubling)


def rhd_allreduce(buf, ranks: Sequence[int]) -> None:
    """Sum-all-reduce ``buf`` in place by Rabenseifner's recursive halving + doubling."""

    def halving_doubling(buf, scratch, fold):
        bounds = chunk_bounds(buf.numel(), fold.q)
        span = lambda lo, hi: slice(bounds[lo][0], bounds[hi - 1][1])  # noqa: E731  chunks lo..hi−1
        lo, hi, mask, steps, sent = 0, fold.q, fold.q >> 1, [], []
        while mask:  # a half given away is not touched again until the all-gather fills it
            partner = ranks[fold.real(fold.virtual ^ mask)]
            mid = (lo + hi) // 2
            keep, give = ((lo, mid), (mid, hi)) if not fold.virtual & mask else ((mid, hi), (lo, mid))
            kept = buf[span(*keep)]
            exchange([(buf[span(*give)], partner)], [(scratch[: kept.numel()], partner)], sent)
            kept.add_(scratch[: kept.numel()])
            steps.append((partner, keep, give))
            lo, hi = keep
            mask >>= 1
        wait_all(sent)
        for partner, keep, give in reversed(steps):  # what is sent is final
            exchange([(buf[span(*keep)], partner)], [(buf[span(*give)], partner)], sent)
        wait_all(sent)

    _folded(buf, ranks, halving_doubling)
