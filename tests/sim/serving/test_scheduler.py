"""Scheduler: an exact toy run, and an oracle that replays every batch token by token.

The oracle keeps its own per-sequence position and output count, writes every token through the
block tables into a simulated store, and checks each batch against them: positions contiguous,
tables covering every written slot, no write into a shared block, prefix hits holding the right
tokens, decode context sums exact, finishes exactly at N outputs, and the pool restored at the end.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.errors import InvalidValue
from infraprep.sim.serving import (
    BlockManager,
    Scheduler,
    SchedulerConfig,
    Sequence,
    blocks_for,
    make_prefix_cache,
)


class TokenSeq(Sequence):
    """Prompt = a group's shared prefix + own tail; outputs are a function of the prompt (a
    deterministic "model"), so equal prompts give equal outputs and equal block contents."""

    def __init__(self, seq_id, prompt, n_out, arrival=0.0, priority=0):
        super().__init__(seq_id, len(prompt), n_out, arrival, priority)
        self.tokens = list(prompt) + [hash((tuple(prompt), i)) % 97 for i in range(n_out)]
        self.bs = None

    def block_key(self, j):
        return tuple(self.tokens[j * self.bs : (j + 1) * self.bs])


def test_chunked_prefill_then_decode_exact_blocks():
    bm = BlockManager(num_blocks=6, block_size=4)
    sched = Scheduler(SchedulerConfig(max_batched_tokens=8, max_num_seqs=2), bm)
    a = Sequence("a", prompt_len=10, max_new_tokens=3)
    sched.add(a)
    b = sched.schedule()  # chunk 1: positions 0-7 (two blocks)
    assert [(s.seq_id, start, n) for s, start, n in b.prefills] == [("a", 0, 8)] and b.num_decodes == 0
    assert bm.tables["a"] == [0, 1] and sched.finish_step(b) == []
    b = sched.schedule()  # chunk 2: positions 8-9, emits output 1
    assert [(start, n) for _, start, n in b.prefills] == [(8, 2)] and bm.tables["a"] == [0, 1, 2]
    assert sched.finish_step(b) == [] and a.generated == 1 and "a" in sched.decoding
    b = sched.schedule()  # decode writes slot 10 (inside block 2), context 11
    assert (b.num_decodes, b.decode_context, bm.tables["a"]) == (1, 11, [0, 1, 2])
    assert sched.finish_step(b) == []
    b = sched.schedule()  # slot 11, then output 3 ends it: P + N - 1 = 12 slots written
    assert (b.num_decodes, b.decode_context) == (1, 12)
    assert sched.finish_step(b) == [a] and bm.num_free == 6 and sched.decode_context == 0


def test_a_request_longer_than_the_pool_is_an_error():
    sched = Scheduler(SchedulerConfig(max_model_len=4096), BlockManager(4, 4))
    with pytest.raises(InvalidValue, match="whole KV pool"):
        sched.add(Sequence(1, prompt_len=15, max_new_tokens=5))
    with pytest.raises(InvalidValue, match="--token-budget=8"):
        SchedulerConfig(max_batched_tokens=8, max_num_seqs=16)


def replay(config, specs, num_blocks, bs, cache_kind="none", cpu_blocks=0, max_iterations=4000):
    cache = make_prefix_cache(cache_kind)
    bm = BlockManager(num_blocks, bs, cpu_blocks, evictor=cache)
    sched = Scheduler(config, bm, cache)
    seqs = []
    for i, (prompt, n_out, arrive, prio) in enumerate(specs):
        seq = TokenSeq(i, prompt, n_out, arrival=float(arrive), priority=prio)
        seq.bs = bs
        seqs.append(seq)
    store, cpu, pos, emitted, done = {}, {}, {}, {s.seq_id: 0 for s in seqs}, set()

    def write(seq, slot):
        block = bm.tables[seq.seq_id][slot // bs]
        assert bm.refcount[block] == 1, "write into a shared block"
        store[(block, slot % bs)] = seq.tokens[slot]

    for it in range(max_iterations):
        for seq in seqs:
            if seq.arrival == it:
                sched.add(seq)
        batch = sched.schedule()
        for pairs, src, dst in ((batch.swap_in, cpu, store), (batch.swap_out, store, cpu), (batch.copies, store, store)):
            for a, b in pairs:  # copies in the order they happened, as an engine applies them
                for off in range(bs):
                    if (a, off) in src:
                        dst[(b, off)] = src[(a, off)]
        for seq in batch.preempted:
            if seq.status.name == "WAITING":
                pos[seq.seq_id] = None  # recompute: restarts from a prefix hit or 0
        if batch.empty:
            if not sched.has_work and it > max(s.arrival for s in seqs):
                break
            continue
        if config.policy != "static":
            assert batch.prefill_tokens + batch.num_decodes <= config.max_batched_tokens or (
                not config.chunked_prefill and len(batch.prefills) == 1 and not batch.num_decodes)
        assert sched.num_running <= config.max_num_seqs
        for seq, start, n in batch.prefills:
            target = seq.prompt_len + emitted[seq.seq_id]
            if pos.get(seq.seq_id) is None:
                assert start % bs == 0 and start < target
                table = bm.tables[seq.seq_id]
                for slot in range(start):  # prefix hit: the cached blocks hold this prefix
                    assert store[(table[slot // bs], slot % bs)] == seq.tokens[slot]
            else:
                assert start == pos[seq.seq_id]
            assert start + n <= target and len(bm.tables[seq.seq_id]) >= blocks_for(start + n, bs)
            for slot in range(start, start + n):
                write(seq, slot)
            pos[seq.seq_id] = start + n
            if start + n == target:
                emitted[seq.seq_id] += 1
        if batch.num_decodes:
            decodes = list(batch.decodes.values())
            assert len(decodes) == batch.num_decodes
            assert batch.decode_context == sum(s.prompt_len + emitted[s.seq_id] for s in decodes)
            for seq in decodes:
                slot = seq.prompt_len + emitted[seq.seq_id] - 1
                assert pos[seq.seq_id] == slot
                write(seq, slot)
                pos[seq.seq_id] = slot + 1
                emitted[seq.seq_id] += 1
        finished = sched.finish_step(batch)
        for seq in finished:
            assert emitted[seq.seq_id] == seq.max_new_tokens
            done.add(seq.seq_id)
        assert all(emitted[i] < seqs[i].max_new_tokens for i in emitted if i not in done)
        bm.check()
    assert len(done) == len(seqs), f"not finished: {sorted(set(emitted) - done)}"
    assert bm.num_free == num_blocks and sched.decode_context == 0 and not sched.waiting
    return sched


configs = st.builds(
    SchedulerConfig,
    max_batched_tokens=st.sampled_from([8, 16, 64]),
    max_num_seqs=st.sampled_from([1, 3, 8]),
    policy=st.sampled_from(["decode-first", "prefill-first", "static"]),
    chunked_prefill=st.booleans(),
    preemption=st.sampled_from(["recompute", "swap"]),
    order=st.sampled_from(["fcfs", "priority"]),
    reservation=st.sampled_from(["paged", "max-length"]),
    max_model_len=st.just(40),
)
specs = st.lists(
    st.tuples(
        st.tuples(st.integers(0, 2), st.lists(st.integers(0, 5), max_size=8), st.integers(0, 12)),
        st.integers(1, 12), st.integers(0, 6), st.integers(0, 2)),
    min_size=1, max_size=8,
).map(lambda rows: [([g] * glen + tail or [g], n, t, p) for (g, tail, glen), n, t, p in rows])


@settings(max_examples=150, deadline=None)
@given(config=configs, specs=specs, bs=st.sampled_from([1, 2, 4]), extra=st.integers(0, 6),
       cache_kind=st.sampled_from(["none", "hash", "radix"]))
def test_every_batch_replays_token_by_token(config, specs, bs, extra, cache_kind):
    longest = config.max_model_len if config.reservation == "max-length" else max(len(p) + n - 1 for p, n, _, _ in specs)
    num_blocks = blocks_for(longest, bs) + extra  # at least one sequence always fits
    replay(config, specs, num_blocks, bs, cache_kind, cpu_blocks=num_blocks)


def test_preemption_happens_and_recovers_under_both_modes():
    specs = [([1] * 6, 10, 0, 0), ([2] * 6, 10, 0, 0), ([3] * 6, 10, 0, 0)]
    for mode in ("recompute", "swap"):
        config = SchedulerConfig(max_batched_tokens=16, max_num_seqs=3, preemption=mode)
        sched = replay(config, specs, num_blocks=8, bs=4, cpu_blocks=8)  # 3 × 4 blocks wanted, 8 exist
        assert sched.preemptions >= 1, mode


def test_prefix_hits_skip_the_shared_prompt():
    specs = [([7] * 16 + [1], 2, 0, 0), ([7] * 16 + [2], 2, 5, 0)]  # second arrives after the first finished
    for kind in ("hash", "radix"):
        sched = replay(SchedulerConfig(max_batched_tokens=32, max_num_seqs=2), specs, 12, 4, kind)
        assert sched.cache.stats.hit_blocks == 4 and sched.cache.stats.query_blocks == 8


def test_priority_order_admits_and_preempts_by_priority():
    """Room for one 8-slot sequence at a time (3 blocks of 4). Under ``priority`` the later but more
    important request runs first; under ``fcfs`` arrival order wins. When both run and blocks run
    out, the less important one is the one preempted."""
    for order, first in (("priority", "urgent"), ("fcfs", "early")):
        sched = Scheduler(SchedulerConfig(max_batched_tokens=16, max_num_seqs=2, order=order), BlockManager(3, 4))
        sched.add(Sequence("early", 8, 1, arrival=0.0, priority=5))
        sched.add(Sequence("urgent", 8, 1, arrival=1.0, priority=0))
        batch = sched.schedule()
        assert [s.seq_id for s, _, _ in batch.prefills] == [first], order
    sched = Scheduler(SchedulerConfig(max_batched_tokens=16, max_num_seqs=2, order="priority"), BlockManager(4, 4))
    low, high = Sequence("low", 4, 8, arrival=0.0, priority=9), Sequence("high", 4, 8, arrival=1.0, priority=0)
    sched.add(low)
    sched.add(high)
    sched.finish_step(sched.schedule())  # both prefill: one block each, then decode
    preempted = []
    for _ in range(10):
        batch = sched.schedule()
        preempted += [s.seq_id for s in batch.preempted]
        sched.finish_step(batch)
    assert preempted and set(preempted) == {"low"}
