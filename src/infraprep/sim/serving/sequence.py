"""A sequence as the scheduler sees it: lengths, progress and where it is in its life.

Token positions and KV slots (one slot per token whose key/value is cached)::

    prompt p0 … p(P−1) │ outputs o1 o2 … oN
    prefill writes slots 0 … P−1 and its last logits give o1;
    decode step k feeds o_k, writes its slot P+k−1 and yields o(k+1); o_N's slot is never written.

So a sequence of ``P`` prompt and ``N`` output tokens writes ``P + N − 1`` slots. While decoding, its
generated count advances with the scheduler's global decode-step counter instead of being updated
one sequence at a time (``generated_at``): the simulator can then run tens of thousands of requests.
"""

from __future__ import annotations

from collections.abc import Hashable
from enum import IntEnum

__all__ = ["Sequence", "Status"]


class Status(IntEnum):
    WAITING = 0
    RUNNING = 1
    SWAPPED = 2
    FINISHED = 3


class Sequence:
    """One request's generation. Subclasses say what a block holds (:meth:`block_key`).

    Args:
        seq_id: unique within a scheduler.
        prompt_len: prompt tokens ``P`` (≥ 1).
        max_new_tokens: output tokens ``N`` to generate (≥ 1); generation stops there.
        arrival: arrival time (orders FCFS).
        priority: lower runs first under the ``priority`` order.
    """

    __slots__ = (
        "seq_id", "prompt_len", "max_new_tokens", "arrival", "priority", "status", "prefill_len", "computed",
        "generated", "join_step", "next_block_step", "finish_step", "cached_tokens", "preemptions",
        "last_emit_step", "cache_memo", "cache_inserted",
    )

    def __init__(self, seq_id: Hashable, prompt_len: int, max_new_tokens: int, arrival: float = 0.0,
                 priority: int = 0) -> None:
        if prompt_len < 1 or max_new_tokens < 1:
            raise ValueError(f"sequence {seq_id!r}: prompt_len and max_new_tokens must be ≥ 1")
        self.seq_id, self.prompt_len, self.max_new_tokens = seq_id, prompt_len, max_new_tokens
        self.arrival, self.priority = arrival, priority
        self.status = Status.WAITING
        self.prefill_len = prompt_len  # tokens to prefill: the prompt, or prompt + outputs after a recompute
        self.computed = 0  # prefilled tokens whose KV is in the cache (prefix hits included)
        self.generated = 0  # outputs at the last sync (see generated_at)
        self.join_step = 0  # scheduler decode step at which it (re)joined decoding
        self.next_block_step = -1
        self.finish_step = -1
        self.cached_tokens = 0  # prompt tokens served by the prefix cache at first admission
        self.preemptions = 0
        self.last_emit_step = -1  # decode step of the last output, −1 if it came from a prefill
        self.cache_memo: list = []  # the prefix cache's per-sequence memo (chain hashes)
        self.cache_inserted = 0  # full blocks already registered with the prefix cache

    @property
    def total_slots(self) -> int:
        """KV slots the whole generation writes: P + N − 1."""
        return self.prompt_len + self.max_new_tokens - 1

    def generated_at(self, step: int, decoding: bool) -> int:
        return self.generated + (step - self.join_step if decoding else 0)

    def block_key(self, j: int) -> Hashable:
        """Identity of the content of full block ``j`` (for prefix caching). Default: never shared."""
        return (self.seq_id, j)

    def __repr__(self) -> str:
        return f"Sequence({self.seq_id!r}, P={self.prompt_len}, N={self.max_new_tokens}, {self.status.name})"
