"""A real serving engine: the shared scheduler and block manager driving a torch model's KV pool.

Each iteration: ask the :class:`~infraprep.sim.serving.Scheduler` for a batch, apply the block copies
it reports (swap in, swap out, copy-on-write) to the pool tensors, flatten the batch's prefill chunks
and decodes into one forward pass of :meth:`TinyTransformer.forward_paged`, append the greedy tokens,
and report the step back. The pool is ``layers × (num_blocks, block_size, kv_heads, head_dim)`` for K
and again for V, plus a CPU pool of the same shape for swapping.

Generation is greedy and runs to ``max_new_tokens`` (no end-of-sequence token), so outputs depend only
on the prompt: the property the tests check against :func:`dense_generate`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from collections.abc import Sequence as Seq
from dataclasses import dataclass, field

import torch

from infraprep.errors import InvalidValue
from infraprep.labs.engine.model import PagedInputs, TinyTransformer, paged_group
from infraprep.sim.serving import BlockManager, Scheduler, SchedulerConfig, Sequence, make_prefix_cache

__all__ = ["EngineRequest", "EngineStats", "PagedEngine", "dense_generate"]


@dataclass(frozen=True)
class EngineRequest:
    """A prompt (token ids), how many tokens to generate, and the iteration at which it arrives."""

    prompt: tuple[int, ...]
    max_new_tokens: int
    arrival: int = 0


class _EngineSeq(Sequence):
    def __init__(self, seq_id: int, request: EngineRequest, block_size: int) -> None:
        super().__init__(seq_id, len(request.prompt), request.max_new_tokens, float(request.arrival))
        self.tokens = list(request.prompt)
        self.logits: list[torch.Tensor] = []
        self.bs = block_size

    def block_key(self, j: int) -> tuple[int, ...]:
        return tuple(self.tokens[j * self.bs : (j + 1) * self.bs])


@dataclass
class EngineStats:
    """What a run did: iterations, tokens computed and generated, prefix hits, preemptions, time."""

    iterations: int = 0
    prefill_tokens: int = 0
    decode_tokens: int = 0
    generated_tokens: int = 0
    cached_tokens: int = 0
    preemptions: int = 0
    seconds: float = 0.0  # wall clock
    cpu_seconds: float = 0.0  # this process's CPU time: what a dedicated core would take
    batch_sizes: list[int] = field(default_factory=list)

    @property
    def tokens_per_second(self) -> float:
        return self.generated_tokens / self.seconds if self.seconds else 0.0

    @property
    def tokens_per_cpu_second(self) -> float:
        return self.generated_tokens / self.cpu_seconds if self.cpu_seconds else 0.0

    def to_dict(self) -> dict:
        return {"iterations": self.iterations, "prefill_tokens": self.prefill_tokens,
                "decode_tokens": self.decode_tokens, "generated_tokens": self.generated_tokens,
                "cached_tokens": self.cached_tokens, "preemptions": self.preemptions,
                "seconds": self.seconds, "tokens_per_second": self.tokens_per_second,
                "cpu_seconds": self.cpu_seconds, "tokens_per_cpu_second": self.tokens_per_cpu_second,
                "mean_batch": sum(self.batch_sizes) / len(self.batch_sizes) if self.batch_sizes else 0.0}


class PagedEngine:
    """Serve requests through paged KV blocks with continuous batching and optional prefix caching.

    Args:
        model: the transformer whose pool this engine owns.
        num_blocks: GPU-pool blocks; ``num_cpu_blocks`` for swap preemption.
        block_size: token slots per block.
        config: the scheduler's policy and budgets.
        prefix_cache: ``"none"``, ``"hash"`` or ``"radix"``.
    """

    def __init__(self, model: TinyTransformer, num_blocks: int, block_size: int, config: SchedulerConfig,
                 prefix_cache: str = "none", num_cpu_blocks: int = 0) -> None:
        c = model.config
        self.model, self.block_size, self.config = model, block_size, config
        self.cache_kind, self.num_blocks, self.num_cpu_blocks = prefix_cache, num_blocks, num_cpu_blocks
        dtype = model.head.weight.dtype
        shape = (num_blocks, block_size, c.kv_heads, c.head_dim)
        self.k = [torch.zeros(shape, dtype=dtype) for _ in range(c.layers)]
        self.v = [torch.zeros(shape, dtype=dtype) for _ in range(c.layers)]
        cpu_shape = (max(num_cpu_blocks, 1), block_size, c.kv_heads, c.head_dim)
        self.k_cpu = [torch.zeros(cpu_shape, dtype=dtype) for _ in range(c.layers)]
        self.v_cpu = [torch.zeros(cpu_shape, dtype=dtype) for _ in range(c.layers)]

    def _copy(self, pairs: list[tuple[int, int]], src_k, src_v, dst_k, dst_v) -> None:
        if not pairs:
            return
        src = torch.tensor([s for s, _ in pairs])
        dst = torch.tensor([d for _, d in pairs])
        for layer in range(len(src_k)):
            dst_k[layer][dst] = src_k[layer][src]
            dst_v[layer][dst] = src_v[layer][src]

    def _inputs(self, batch, blocks: BlockManager) -> tuple[PagedInputs, list[_EngineSeq]]:
        tokens, positions, slots, logit_rows, wants, groups = [], [], [], [], [], []
        decodes = [(seq, len(seq.tokens) - 1, 1) for seq in batch.decodes.values()] if batch.num_decodes else []
        bs = self.block_size
        for entries in (batch.prefills, decodes):
            if not entries:
                continue
            first, rows, tables, context = len(tokens), [], [], []
            for i, (seq, start, n) in enumerate(entries):
                table = blocks.tables[seq.seq_id]
                for r in range(n):
                    pos = start + r
                    tokens.append(seq.tokens[pos])
                    positions.append(pos)
                    slots.append(table[pos // bs] * bs + pos % bs)
                    rows.append((i, r))
                if start + n == len(seq.tokens):  # completes its prefill, or a decode: next-token logits
                    logit_rows.append(len(tokens) - 1)
                    wants.append(seq)
                tables.append(table[: -(-(start + n) // bs)])
                context.append(start + n)
            groups.append(paged_group(first, rows, positions[first:], tables, context, bs))
        inp = PagedInputs(tokens=torch.tensor(tokens), positions=torch.tensor(positions), slots=torch.tensor(slots),
                          groups=groups, logit_rows=torch.tensor(logit_rows, dtype=torch.long))
        return inp, wants

    def generate(self, requests: Seq[EngineRequest], keep_logits: bool = False,
                 on_step: Callable[[int], None] | None = None) -> tuple[list[list[int]], EngineStats]:
        """Run every request to completion; returns each request's generated tokens and the stats."""
        vocab = self.model.config.vocab
        for r in requests:
            if not r.prompt or any(not 0 <= t < vocab for t in r.prompt) or r.max_new_tokens < 1:
                raise InvalidValue("request", r, f"a non-empty prompt of token ids in [0, {vocab}) and ≥ 1 new token")
        cache = make_prefix_cache(self.cache_kind)
        blocks = BlockManager(self.num_blocks, self.block_size, self.num_cpu_blocks, evictor=cache)
        sched = Scheduler(self.config, blocks, cache)
        seqs = [_EngineSeq(i, r, self.block_size) for i, r in enumerate(requests)]
        pending = sorted(seqs, key=lambda s: (s.arrival, s.seq_id))
        stats, done, iteration = EngineStats(), 0, 0
        start, cpu_start = time.perf_counter(), time.process_time()
        while done < len(seqs):
            while pending and pending[0].arrival <= iteration:
                sched.add(pending.pop(0))
            iteration += 1
            batch = sched.schedule()
            self._copy(batch.swap_in, self.k_cpu, self.v_cpu, self.k, self.v)
            self._copy(batch.swap_out, self.k, self.v, self.k_cpu, self.v_cpu)
            self._copy(batch.copies, self.k, self.v, self.k, self.v)
            if batch.empty:
                continue
            inp, wants = self._inputs(batch, blocks)
            logits = self.model.forward_paged(inp, self.k, self.v)
            for seq, row in zip(wants, logits, strict=True):
                seq.tokens.append(int(row.argmax()))
                if keep_logits:
                    seq.logits.append(row.clone())
            stats.iterations += 1
            stats.prefill_tokens += batch.prefill_tokens
            stats.decode_tokens += batch.num_decodes
            stats.generated_tokens += len(wants)
            stats.batch_sizes.append(len(batch.prefills) + batch.num_decodes)
            done += len(sched.finish_step(batch))
            if on_step:
                on_step(len(wants))
        stats.seconds, stats.cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
        stats.cached_tokens = sum(s.cached_tokens for s in seqs)
        stats.preemptions = sched.preemptions
        self.last_logits = [s.logits for s in seqs]
        return [s.tokens[s.prompt_len :] for s in seqs], stats


def dense_generate(model: TinyTransformer, prompt: Seq[int], max_new_tokens: int,
                   keep_logits: bool = False) -> tuple[list[int], list[torch.Tensor]]:
    """The reference: greedy generation recomputing the whole sequence densely at every step."""
    tokens, logits = list(prompt), []
    for _ in range(max_new_tokens):
        row = model.forward_dense(torch.tensor(tokens))[-1]
        tokens.append(int(row.argmax()))
        if keep_logits:
            logits.append(row)
    return tokens[len(prompt) :], logits
