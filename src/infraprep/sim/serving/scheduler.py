"""The scheduler: who runs in the next iteration, with how many tokens, and whom to preempt.

Continuous (iteration-level) batching (Orca, Yu et al. OSDI 2022 §3.1): every iteration the scheduler
rebuilds the batch — finished sequences leave, waiting ones join — under a per-iteration token budget
(``max_batched_tokens``) and a cap on running sequences (``max_num_seqs``). Policies:

* ``decode-first`` — every running decode gets its token, the rest of the budget goes to prefills;
  with ``chunked_prefill`` a long prompt is cut into budget-sized chunks (Sarathi-Serve, Agrawal et
  al. OSDI 2024 §4: "stall-free batching"), so a prefill never stalls decodes for long.
* ``prefill-first`` — an iteration runs prefills only whenever a waiting prompt can be admitted,
  decodes otherwise (vLLM v0's default scheduler): decodes stall during long prefills.
* ``static`` — request-level batching: a batch is admitted only when the previous one has wholly
  finished; it reserves each sequence's whole generation up front and pays for padding (every member
  keeps a slot, prompts padded to the longest) until its longest member finishes.

Memory: ``reservation="paged"`` grows each sequence a block at a time (PagedAttention, Kwon et al.
§4.2); ``"max-length"`` reserves ``max_model_len`` slots at admission (the contiguous reservation
of pre-vLLM systems, §3.1). When blocks run out, the lowest-priority running sequence (latest arrival
under ``fcfs``) is preempted by ``recompute`` (its blocks freed; later re-prefilled with its outputs as
prompt) or ``swap`` (blocks copied to CPU and back; §4.5). Allocation failures are return values of
the :class:`BlockManager`; this module decides what they mean.

Decoding is tracked without touching each sequence each iteration: a global decode-step counter,
per-step buckets of sequences that need a new block or finish at that step, and the running sum of
context lengths. One iteration costs O(1) plus O(1) per sequence event (join, block, finish).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from infraprep.errors import InvalidValue
from infraprep.sim.serving.batch import Batch
from infraprep.sim.serving.block_manager import BlockManager, blocks_for
from infraprep.sim.serving.sequence import Sequence, Status

__all__ = ["Scheduler", "SchedulerConfig"]

POLICIES = ("decode-first", "prefill-first", "static")


@dataclass(frozen=True)
class SchedulerConfig:
    """Scheduling knobs; defaults follow vLLM where it has one (block size 16, 256 sequences)."""

    max_batched_tokens: int = 2048
    max_num_seqs: int = 256
    policy: str = "decode-first"
    chunked_prefill: bool = True
    preemption: str = "recompute"
    order: str = "fcfs"
    reservation: str = "paged"
    max_model_len: int = 4096

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise InvalidValue("--policy", self.policy, f"one of {', '.join(POLICIES)}")
        if self.preemption not in ("recompute", "swap"):
            raise InvalidValue("--preemption", self.preemption, "recompute or swap")
        if self.order not in ("fcfs", "priority"):
            raise InvalidValue("--order", self.order, "fcfs or priority")
        if self.reservation not in ("paged", "max-length"):
            raise InvalidValue("--reservation", self.reservation, "paged or max-length")
        if self.max_num_seqs < 1:
            raise InvalidValue("--max-seqs", self.max_num_seqs, "≥ 1")
        if self.max_batched_tokens < self.max_num_seqs:
            raise InvalidValue("--token-budget", self.max_batched_tokens,
                               f"≥ --max-seqs={self.max_num_seqs} (every running decode needs a token)")
        if self.max_model_len < 2:
            raise InvalidValue("--max-model-len", self.max_model_len, "≥ 2")


class _Keys:
    """The block keys ``seq.block_key(0 … n−1)``, computed only if a cache reads them."""

    __slots__ = ("seq", "n")

    def __init__(self, seq: Sequence, n: int) -> None:
        self.seq, self.n = seq, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, j: int):
        if not 0 <= j < self.n:
            raise IndexError(j)
        return self.seq.block_key(j)


class Scheduler:
    """Continuous batching over a :class:`BlockManager` and an optional prefix cache (module docstring)."""

    def __init__(self, config: SchedulerConfig, blocks: BlockManager, prefix_cache=None) -> None:
        if config.preemption == "swap" and blocks.num_cpu_blocks == 0:
            raise InvalidValue("--preemption", "swap", "recompute, or give CPU swap blocks")
        self.config, self.blocks, self.cache = config, blocks, prefix_cache
        self.bs = blocks.block_size
        self.waiting: list[tuple[tuple, Sequence]] = []
        self.swapped: list[Sequence] = []
        self.transferred: list[Sequence] = []  # prefilled elsewhere (disaggregation), waiting for blocks
        self.prefilling: dict = {}
        self.decoding: dict = {}
        self.step = 0  # decode iterations run so far
        self.decode_context = 0
        self._block_due: dict[int, list[Sequence]] = defaultdict(list)
        self._finish_due: dict[int, list[Sequence]] = defaultdict(list)
        self._joined: list[Sequence] = []
        self._static_size = self._static_prompt = self._static_start = 0
        self.preemptions = 0

    # -- bookkeeping -----------------------------------------------------------------------------
    def _key(self, seq: Sequence) -> tuple:
        prio = seq.priority if self.config.order == "priority" else 0
        return (prio, seq.arrival, seq.seq_id)

    @property
    def num_running(self) -> int:
        return len(self.prefilling) + len(self.decoding)

    @property
    def has_work(self) -> bool:
        return bool(self.waiting or self.swapped or self.transferred or self.prefilling or self.decoding)

    def add(self, seq: Sequence) -> None:
        """Queue a new sequence. One that could never fit is an error, not a silent stall."""
        if seq.total_slots > self.config.max_model_len:
            raise InvalidValue("request length", seq.total_slots, f"≤ --max-model-len={self.config.max_model_len} tokens")
        need = self.config.max_model_len if self.config.reservation == "max-length" else seq.total_slots
        if blocks_for(need, self.bs) > self.blocks.num_blocks:
            raise InvalidValue("request length", need, f"at most {self.blocks.num_blocks * self.bs} tokens (the whole KV pool)")
        seq.status = Status.WAITING
        heapq.heappush(self.waiting, (self._key(seq), seq))

    def add_prefilled(self, seq: Sequence) -> None:
        """Queue a sequence whose prompt KV was computed on another replica and arrives with its first
        output (prefill/decode disaggregation): it needs blocks for the prompt, then decodes here."""
        if seq.max_new_tokens < 2 or seq.total_slots > self.config.max_model_len:
            raise InvalidValue("prefilled request", seq, f"≥ 2 output tokens and ≤ {self.config.max_model_len} slots")
        if blocks_for(seq.total_slots, self.bs) > self.blocks.num_blocks:
            raise InvalidValue("request length", seq.total_slots, f"at most {self.blocks.num_blocks * self.bs} tokens")
        seq.status, seq.computed, seq.generated = Status.WAITING, seq.prefill_len, max(seq.generated, 1)
        self.transferred.append(seq)

    def _admit_transferred(self) -> None:
        while self.transferred and self.num_running < self.config.max_num_seqs:
            seq = self.transferred[0]
            reserve = seq.prefill_len
            if self.config.reservation == "max-length":
                reserve = max(reserve, self.config.max_model_len)
            if not self.blocks.allocate(seq.seq_id, reserve):
                return
            self.transferred.pop(0)
            seq.status = Status.RUNNING
            self._join_decode(seq)

    def _reserve(self, seq: Sequence, slots: int) -> bool:
        have = self.blocks.slots[seq.seq_id]
        if slots <= have:
            return True
        return self.blocks.append_slots(seq.seq_id, slots - have) is not None

    def _cache_blocks(self, seq: Sequence, written: int) -> None:
        if self.cache is None:
            return
        table = self.blocks.tables[seq.seq_id]
        full = min(written // self.bs, len(table))
        if full > seq.cache_inserted:
            self.cache.insert(_Keys(seq, full), table, seq.cache_memo, seq.cache_inserted)
            seq.cache_inserted = full

    def _join_decode(self, seq: Sequence) -> None:
        """``seq`` decodes from the next decode step: schedule its next block and its finish."""
        seq.join_step = self.step
        length = seq.prompt_len + seq.generated
        write, reserved = length - 1, self.blocks.slots[seq.seq_id]
        if reserved < seq.total_slots:
            seq.next_block_step = self.step + (reserved - write)
            self._block_due[seq.next_block_step].append(seq)
        seq.finish_step = self.step + seq.max_new_tokens - seq.generated - 1
        self._finish_due[seq.finish_step].append(seq)
        self.decoding[seq.seq_id] = seq
        self.decode_context += length
        self._joined.append(seq)

    def _leave_decode(self, seq: Sequence) -> None:
        del self.decoding[seq.seq_id]
        seq.generated = seq.generated_at(self.step, True)
        if self.step > seq.join_step:
            seq.last_emit_step = self.step - 1
        self.decode_context -= seq.prompt_len + seq.generated
        seq.next_block_step = seq.finish_step = -1

    def _finish(self, seq: Sequence) -> None:
        if seq.seq_id in self.decoding:
            self._leave_decode(seq)
        self._cache_blocks(seq, seq.prompt_len + seq.generated - 1)
        self.blocks.free(seq.seq_id)
        seq.status = Status.FINISHED

    # -- preemption ------------------------------------------------------------------------------
    def _victim(self, decodes_too: bool) -> Sequence:
        pool = (*self.prefilling.values(), *self.decoding.values()) if decodes_too else self.prefilling.values()
        return max(pool, key=self._key)

    def _preempt(self, seq: Sequence, batch: Batch) -> None:
        self.preemptions += 1
        seq.preemptions += 1
        batch.preempted.append(seq)
        batch.prefills = [p for p in batch.prefills if p[0] is not seq]
        decoding = seq.seq_id in self.decoding
        if decoding:
            self._leave_decode(seq)
        else:
            del self.prefilling[seq.seq_id]
        if decoding and self.config.preemption == "swap":
            copies = self.blocks.swap_out(seq.seq_id)
            if copies is not None:
                batch.swap_out.extend(copies)
                seq.cache_inserted = 0  # it comes back in other, unregistered blocks
                seq.status = Status.SWAPPED
                self.swapped.append(seq)
                return
        written = seq.prompt_len + seq.generated - 1 if decoding else seq.computed
        self._cache_blocks(seq, written)
        self.blocks.free(seq.seq_id)
        seq.cache_inserted = 0  # its blocks are gone; a re-admission re-registers what it recomputes
        seq.prefill_len = seq.prompt_len + seq.generated  # recompute: the outputs so far become prompt
        seq.computed = 0
        self.add(seq)

    def _make_room(self, seq: Sequence, slots: int, batch: Batch, decodes_too: bool) -> bool:
        """Reserve ``slots`` for running ``seq``, preempting the lowest-priority running sequences (or
        ``seq`` itself) as needed. Prefills preempt only prefills: the batch's decodes are fixed by then."""
        while not self._reserve(seq, slots):
            victim = self._victim(decodes_too)
            self._preempt(victim, batch)
            if victim is seq:
                return False
        return True

    # -- one iteration ---------------------------------------------------------------------------
    def schedule(self) -> Batch:
        """The next iteration's batch (``batch.empty`` when there is nothing to run now)."""
        batch = Batch(self.decoding)
        if self.config.policy == "static":
            return self._schedule_static(batch)
        self._swap_in(batch)
        self._admit_transferred()
        budget = self.config.max_batched_tokens
        if self.config.policy == "prefill-first":
            self._schedule_prefills(batch, budget)
            if batch.prefills:
                return batch
        if self.decoding:
            self._allocate_decode_blocks(batch)
            budget -= len(self.decoding)
        batch.num_decodes, batch.decode_context = len(self.decoding), self.decode_context
        if self.config.policy == "decode-first":
            self._schedule_prefills(batch, budget)
        batch.joined, self._joined = [s for s in self._joined if s.seq_id in self.decoding], []
        return batch

    def _swap_in(self, batch: Batch) -> None:
        while self.swapped and self.num_running < self.config.max_num_seqs:
            seq = self.swapped[0]
            copies = self.blocks.swap_in(seq.seq_id)
            if copies is None:
                return
            self.swapped.pop(0)
            batch.swap_in.extend(copies)
            seq.status = Status.RUNNING
            self._join_decode(seq)

    def _allocate_decode_blocks(self, batch: Batch) -> None:
        """Give each decode due at this step its next block (one event per sequence per block)."""
        due = self._block_due.pop(self.step, None)
        if not due:
            return
        step, bs, decoding, buckets = self.step, self.bs, self.decoding, self._block_due
        slots, append = self.blocks.slots, self.blocks.append_slots
        for seq in due:
            sid = seq.seq_id
            if sid not in decoding or seq.next_block_step != step:
                continue  # left decoding since it was bucketed
            write = seq.prompt_len + seq.generated + step - seq.join_step - 1
            total = seq.prompt_len + seq.max_new_tokens - 1
            upto = (write // bs + 1) * bs
            if upto > total:
                upto = total
            have = slots[sid]
            if upto > have and append(sid, upto - have) is None:  # no room: preempt someone (maybe seq)
                if not self._make_room(seq, upto, batch, decodes_too=True):
                    continue
            if upto < total:
                seq.next_block_step = nxt = step + upto - write
                buckets[nxt].append(seq)

    def _schedule_prefills(self, batch: Batch, budget: int) -> None:
        chunked = self.config.chunked_prefill
        for seq in list(self.prefilling.values()) if self.prefilling else ():
            if budget <= 0:
                return
            if seq.seq_id not in self.prefilling:
                continue  # preempted while making room for an earlier one
            n = seq.prefill_len - seq.computed
            if n > budget and not chunked and (batch.prefills or batch.num_decodes):
                return
            n = min(n, budget) if chunked else n
            if self._make_room(seq, seq.computed + n, batch, decodes_too=False):
                batch.prefills.append((seq, seq.computed, n))
                budget -= n
        while self.waiting and budget > 0 and self.num_running < self.config.max_num_seqs:
            seq = self.waiting[0][1]
            if seq in batch.preempted:
                return  # not back in the iteration that preempted it
            hits, usable = self._match(seq)
            start = len(hits) * self.bs
            n = seq.prefill_len - start
            if n > budget and not chunked and (batch.prefills or batch.num_decodes):
                return
            n = min(n, budget) if chunked else n
            reserve = max(self.config.max_model_len, start + n) if self.config.reservation == "max-length" else start + n
            if not self.blocks.allocate(seq.seq_id, reserve, hits):
                return  # head-of-line: FCFS admits in order
            heapq.heappop(self.waiting)
            if self.cache is not None:
                stats = self.cache.stats
                stats.queries, stats.query_blocks, stats.hit_blocks = (
                    stats.queries + 1, stats.query_blocks + usable, stats.hit_blocks + len(hits))
            if seq.preemptions == 0:
                seq.cached_tokens = start
            seq.status, seq.computed, seq.cache_inserted = Status.RUNNING, start, len(hits)
            self.prefilling[seq.seq_id] = seq
            batch.prefills.append((seq, start, n))
            budget -= n

    def _match(self, seq: Sequence) -> tuple[list[int], int]:
        """Cached blocks for ``seq``'s prefix, and how many full blocks were looked up."""
        if self.cache is None:
            return [], 0
        usable = (seq.prefill_len - 1) // self.bs  # at least one token must be computed for its logits
        return (self.cache.match(_Keys(seq, usable), False, seq.cache_memo) if usable else []), usable

    def _schedule_static(self, batch: Batch) -> Batch:
        if not self.num_running:
            self._static_size = self._static_prompt = 0
            while self.waiting and self.num_running < self.config.max_num_seqs:
                seq = self.waiting[0][1]
                if not self.blocks.allocate(seq.seq_id, seq.total_slots):
                    break
                heapq.heappop(self.waiting)
                seq.status, seq.computed = Status.RUNNING, 0
                self.prefilling[seq.seq_id] = seq
                batch.prefills.append((seq, 0, seq.prefill_len))
                self._static_prompt = max(self._static_prompt, seq.prefill_len)
            self._static_size, self._static_start = len(batch.prefills), self.step
            batch.padded_prefill_tokens = self._static_size * self._static_prompt
            return batch
        batch.num_decodes, batch.decode_context = len(self.decoding), self.decode_context
        batch.padded_decodes = self._static_size
        batch.joined, self._joined = [s for s in self._joined if s.seq_id in self.decoding], []
        # padded: every member attends over the padded prompt plus the steps so far
        batch.padded_context = self._static_size * (self._static_prompt + self.step - self._static_start + 1)
        return batch

    def finish_step(self, batch: Batch) -> list[Sequence]:
        """Account for an executed batch; returns the sequences that finished in it."""
        finished = []
        if batch.num_decodes:
            self.step += 1
            self.decode_context += batch.num_decodes
            for seq in self._finish_due.pop(self.step - 1, ()):
                if seq.seq_id in self.decoding and seq.finish_step == self.step - 1:
                    self._finish(seq)
                    finished.append(seq)
        for seq, start, n in batch.prefills:
            if seq.seq_id not in self.prefilling:
                continue
            seq.computed = start + n
            if seq.computed < seq.prefill_len:
                continue
            del self.prefilling[seq.seq_id]
            seq.generated += 1
            seq.last_emit_step = -1
            self._cache_blocks(seq, seq.computed)
            if seq.generated >= seq.max_new_tokens:
                self._finish(seq)
                finished.append(seq)
            else:
                self._join_decode(seq)
        return finished
