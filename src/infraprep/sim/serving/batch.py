"""What one scheduler iteration hands to its executor (the simulator's cost model, or the torch engine)."""

from __future__ import annotations

from infraprep.sim.serving.sequence import Sequence

__all__ = ["Batch"]


class Batch:
    """One iteration's work. ``decodes`` is the scheduler's live map of decoding sequences: read it
    before calling :meth:`Scheduler.finish_step`.

    Attributes: ``prefills`` [(seq, first position, tokens)]; ``num_decodes``; ``decode_context`` (Σ
    tokens each decode attends to, itself included); ``joined`` (decodes whose last output was not the
    previous decode step's); ``preempted``; block copies ``swap_out`` [(gpu, cpu)], ``swap_in`` [(cpu,
    gpu)] and ``copies`` (copy-on-write [(src, dst)]); for static batching the padded view — ``padded_decodes``
    (every member, finished or not), ``padded_context`` (each attending over the longest prompt plus the
    steps so far) and ``padded_prefill_tokens``. A plain slotted class: one is built per iteration.
    """

    __slots__ = ("prefills", "decodes", "num_decodes", "decode_context", "joined", "preempted", "swap_out",
                 "swap_in", "copies", "padded_decodes", "padded_prefill_tokens", "padded_context")

    def __init__(self, decodes: dict) -> None:
        self.prefills: list[tuple[Sequence, int, int]] = []
        self.decodes = decodes
        self.num_decodes = self.decode_context = self.padded_decodes = self.padded_prefill_tokens = 0
        self.padded_context = 0
        self.joined: list[Sequence] = []
        self.preempted: list[Sequence] = []
        self.swap_out: list[tuple[int, int]] = []
        self.swap_in: list[tuple[int, int]] = []
        self.copies: list[tuple[int, int]] = []

    @property
    def prefill_tokens(self) -> int:
        return sum(n for _, _, n in self.prefills)

    @property
    def prefill_pairs(self) -> int:
        """Causal (query, key) pairs of the prefill chunks: Σ n·start + n(n+1)/2."""
        return sum(n * start + n * (n + 1) // 2 for _, start, n in self.prefills)

    @property
    def empty(self) -> bool:
        return not self.prefills and not self.num_decodes
