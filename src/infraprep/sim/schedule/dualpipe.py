"""Per-rank programs of DualPipe and DualPipeV (DeepSeek-V3 report §3.2.1, Fig. 5, Table 2; the
DualPipe repository's ``dualpipe.py`` and ``dualpipev.py``, whose eight-step order is followed here).

**DualPipe** runs ``pp`` ranks and two pipes. Pipe 0 enters at rank 0 (stage ``s`` on rank ``s``);
pipe 1 enters at the last rank (stage ``s`` on rank ``pp−1−s``), so every rank holds two stages
(2× parameters) and each pipe carries half of the ``m`` microbatches. **DualPipeV** ("cut-in-half",
Sea AI Lab) folds one pipe of ``pp`` stages into a V over ``pp/2`` ranks: rank ``r`` holds stages
``r`` and ``pp−1−r``, and every microbatch visits both.

Each rank has two *phases*: phase 0 is the stage a microbatch meets first on that rank, phase 1
the other. (DualPipe: on ranks of the first half phase 0 is pipe 0; on the second half the roles
swap, which makes the program of rank ``r`` the mirror of rank ``pp−1−r``.) With ``h`` the rank's
distance from the nearer end (DualPipe) or its index (DualPipeV), ``n`` the half-rank count (``pp/2``
for DualPipe; the rank count for DualPipeV) and ``c`` the microbatches per phase, the steps are::

    1  nF0        2(n − h − 1) forwards of phase 0
    2  nF0F1      h + 1 times: F0, F1
    3  nB1W1F1    n − h − 1 times: input-gradient B1, its W, F1        (zero-bubble split)
    4  nF0B1F1B0  c − 2n + h + 1 times: F0&B1, F1&B0                  (overlapped pairs)
    5  nB1F1B0    n − h − 1 times: B1, F1&B0
    6  nB1B0      h + 1 times: B1, B0 — split into B and W from the middle on
    7  nWB0       n − h − 1 times: W, split B0
    8  nW         h + 1 times: W

On the rank with ``h = n − 1`` (DualPipe's two middle ranks; DualPipeV's last rank) the first pair
of step 4 is run as a plain F0 then full B1, as the reference code does. ``W`` runs in FIFO order of
the split backwards. The reference code's delayed sends (it batches some sends with the next
operation's receives) are not modelled: a result is available to the next rank when its operation
ends (plus ``comm``).
"""

from __future__ import annotations

from infraprep.sim.schedule.ops import Program, backward, forward, overlapped, weight

__all__ = ["dualpipe", "dualpipev"]


class _Rank:
    """Builds one rank's program; counts microbatches per phase like the reference code does."""

    def __init__(self, stage_of: tuple[tuple[int, int], tuple[int, int]]) -> None:
        self.stage_of = stage_of  # phase -> (pipe, stage)
        self.next_f = [0, 0]
        self.next_b = [0, 0]
        self.split: list[tuple[int, int, int]] = []  # FIFO of split backwards awaiting their W
        self.ops: Program = []

    def _take(self, counter: list[int], phase: int) -> tuple[int, int, int]:
        pipe, stage = self.stage_of[phase]
        mb = counter[phase]
        counter[phase] += 1
        return pipe, stage, mb

    def f(self, phase: int) -> None:
        self.ops.append(forward(*self._take(self.next_f, phase)))

    def b(self, phase: int, split: bool = False) -> None:
        task = self._take(self.next_b, phase)
        self.ops.append(backward(*task, split=split))
        if split:
            self.split.append(task)

    def w(self) -> None:
        self.ops.append(weight(*self.split.pop(0)))

    def fb(self, phase_f: int, phase_b: int) -> None:
        self.ops.append(overlapped(self._take(self.next_f, phase_f), self._take(self.next_b, phase_b)))


def _program(stage_of, n: int, h: int, c: int) -> Program:
    rank = _Rank(stage_of)
    for _ in range(2 * (n - h - 1)):  # step 1
        rank.f(0)
    for _ in range(h + 1):  # step 2
        rank.f(0)
        rank.f(1)
    for _ in range(n - h - 1):  # step 3
        rank.b(1, split=True)
        rank.w()
        rank.f(1)
    for i in range(c - 2 * n + h + 1):  # step 4
        if i == 0 and h == n - 1:
            rank.f(0)
            rank.b(1)
        else:
            rank.fb(0, 1)
        rank.fb(1, 0)
    for _ in range(n - h - 1):  # step 5
        rank.b(1)
        rank.fb(1, 0)
    split = False
    steps = h + 1
    for i in range(steps):  # step 6
        if i == steps // 2 and h % 2 == 1:
            split = True
        rank.b(1, split)
        if i == steps // 2 and h % 2 == 0:
            split = True
        rank.b(0, split)
    for _ in range(n - h - 1):  # step 7
        rank.w()
        rank.b(0, split=True)
    for _ in range(h + 1):  # step 8
        rank.w()
    return rank.ops


def dualpipe(pp: int, m: int) -> list[Program]:
    """DualPipe on ``pp`` ranks (even) with ``m`` microbatches (even, ≥ 2·pp), ``m/2`` per pipe."""
    n, c = pp // 2, m // 2
    programs = []
    for r in range(pp):
        first_half = r < n
        own = ((0, r), (1, pp - 1 - r))  # (pipe 0 stage, pipe 1 stage) on this rank
        stage_of = own if first_half else own[::-1]
        programs.append(_program(stage_of, n, min(r, pp - 1 - r), c))
    return programs


def dualpipev(pp: int, m: int) -> list[Program]:
    """DualPipeV: ``pp`` stages (even) on ``pp/2`` ranks in a V, ``m ≥ pp`` microbatches."""
    n = pp // 2
    return [_program(((0, r), (0, pp - 1 - r)), n, r, m) for r in range(n)]

