"""The discrete-event simulator: requests arrive, replicas run iterations, metrics accumulate.

The loop is vidur's (``vidur/simulator.py``): pop the earliest event, advance the clock, call its
handler, push the events it returns. Heap keys are ``(time, kind, sequence)`` so ties break the same
way every run: arrivals, then KV transfers, then iteration ends, then by push order. Randomness lives
only in the workload (one seeded generator); the same config gives the same result.

Each replica runs iterations back to back while it has work (an iteration is one event), so the cost
of a run is O(iterations + requests · log) — tens of thousands of requests simulate in seconds.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from infraprep.calc.hardware import get_accelerator
from infraprep.errors import InvalidValue
from infraprep.sim.inference.metrics import MetricsCollector, Summary
from infraprep.sim.inference.replica import Replica, ReplicaConfig
from infraprep.sim.inference.workload import SimRequest, WorkloadConfig, generate_sessions

__all__ = ["SimConfig", "SimResult", "simulate"]

ARRIVAL, TRANSFER, STEP = 0, 1, 2


@dataclass(frozen=True)
class SimConfig:
    """A simulated deployment and its workload.

    ``replicas`` colocated replicas serve both phases; with ``disaggregated`` there are
    ``prefill_replicas`` + ``decode_replicas`` instead, and a prompt's KV moves from one to the other
    at ``transfer_bandwidth`` bytes/s (default: the GPU's NIC bandwidth from ``calc.hardware``).
    Requests go to replica ``session mod n`` (a session sticks to one replica, keeping its prefix cache).
    """

    workload: WorkloadConfig = field(default_factory=WorkloadConfig)
    replica: ReplicaConfig = field(default_factory=ReplicaConfig)
    replicas: int = 1
    disaggregated: bool = False
    prefill_replicas: int = 1
    decode_replicas: int = 1
    transfer_bandwidth: float | None = None
    ttft_slo: float = 2.0
    itl_slo: float = 0.1

    def __post_init__(self) -> None:
        for name, value in (("--replicas", self.replicas), ("--prefill-replicas", self.prefill_replicas),
                            ("--decode-replicas", self.decode_replicas)):
            if not 1 <= value <= 1024:
                raise InvalidValue(name, value, "from 1 to 1024")
        for name, value in (("--ttft-slo", self.ttft_slo), ("--itl-slo", self.itl_slo)):
            if not value > 0:
                raise InvalidValue(name, value, "seconds > 0")
        if self.workload.max_len > self.replica.scheduler.max_model_len:
            raise InvalidValue("--max-model-len", self.replica.scheduler.max_model_len,
                               f"≥ the workload's max length {self.workload.max_len}")

    def with_workload(self, **changes) -> SimConfig:
        return replace(self, workload=replace(self.workload, **changes))

    def with_replica(self, **changes) -> SimConfig:
        return replace(self, replica=replace(self.replica, **changes))

    def with_scheduler(self, **changes) -> SimConfig:
        return self.with_replica(scheduler=replace(self.replica.scheduler, **changes))


@dataclass(frozen=True)
class SimResult:
    """A run's metrics, prefix-cache statistics and pool size."""

    config: SimConfig
    summary: Summary
    cache: dict | None
    num_blocks: int
    block_size: int
    wall_seconds: float
    requests: int

    def to_dict(self) -> dict:
        return {**self.summary.to_dict(), "prefix_cache": self.cache, "num_blocks": self.num_blocks,
                "block_size": self.block_size, "requests": self.requests, "simulated_in_s": self.wall_seconds}


class _Run:
    def __init__(self, config: SimConfig, progress: Callable[[int], None] | None) -> None:
        self.config, self.progress = config, progress
        self.metrics = MetricsCollector()
        rc = config.replica
        if config.disaggregated:
            one = replace(rc, scheduler=replace(rc.scheduler, policy="decode-first"))
            self.front = [Replica(i, one, self.metrics, "prefill") for i in range(config.prefill_replicas)]
            self.back = [Replica(i, one, self.metrics, "decode") for i in range(config.decode_replicas)]
            gpu = get_accelerator(rc.gpu)
            self.link = config.transfer_bandwidth or gpu.nic_bandwidth or gpu.scale_up_bandwidth
        else:
            self.front = [Replica(i, rc, self.metrics) for i in range(config.replicas)]
            self.back = []
        self.sessions = generate_sessions(config.workload)
        self.next_session = 0
        self.ids = itertools.count()
        self.completed = 0

    def on_arrival(self, now: float, payload) -> list[tuple]:
        spec, turn = payload
        events = []
        if turn == 0:
            self.next_session += 1
            if self.next_session < len(self.sessions):
                nxt = self.sessions[self.next_session]
                events.append((nxt.arrival, ARRIVAL, (nxt, 0)))
        system, bs = self.config.workload.system_prompt, self.config.replica.block_size
        request = SimRequest(next(self.ids), spec, turn, now, system, bs)
        replica = self.front[spec.session % len(self.front)]
        if replica.mode == "prefill":
            stage = SimRequest(request.seq_id, spec, turn, now, system, bs)
            stage.max_new_tokens, stage.origin = 1, request
            replica.sched.add(stage)
        else:
            replica.sched.add(request)
        return events + self._kick(replica, now)

    def on_transfer(self, now: float, payload) -> list[tuple]:
        request, replica = payload
        replica.sched.add_prefilled(request)
        return self._kick(replica, now)

    def on_step(self, now: float, replica: Replica) -> list[tuple]:
        events = []
        for seq in replica.finish(now):
            origin = seq.origin
            if origin is not None:  # a prefill stage: hand the KV to a decode replica
                origin.first_token = origin.last_token_time = seq.first_token
                if origin.max_new_tokens > 1:
                    back = self.back[origin.spec.session % len(self.back)]
                    delay = replica.cost.kv_bytes_per_token * origin.prompt_len / self.link
                    events.append((now + delay, TRANSFER, (origin, back)))
                    continue
                origin.finish, seq = now, origin
            self._done(seq, now, events)
        end = replica.start(now)
        if end is not None:
            events.append((end, STEP, replica))
        return events

    def _done(self, seq: SimRequest, now: float, events: list) -> None:
        self.metrics.finished(seq.arrival, seq.first_token, now, seq.prompt_len, seq.max_new_tokens, seq.cached_tokens)
        self.completed += 1
        if self.progress:
            self.progress(1)
        spec, turn = seq.spec, seq.turn + 1
        if turn < len(spec.user):
            events.append((now + spec.think[seq.turn], ARRIVAL, (spec, turn)))

    def _kick(self, replica: Replica, now: float) -> list[tuple]:
        if replica.busy:
            return []
        end = replica.start(now)
        return [] if end is None else [(end, STEP, replica)]

    def run(self) -> tuple[float, int]:
        handlers = {ARRIVAL: self.on_arrival, TRANSFER: self.on_transfer, STEP: self.on_step}
        order = itertools.count()
        first = self.sessions[0]
        heap = [(first.arrival, ARRIVAL, next(order), (first, 0))]
        now = start = first.arrival
        while heap:  # the whole loop: pop, advance the clock, handle, push what the handler returns
            now, kind, _, payload = heapq.heappop(heap)
            for when, what, data in handlers[kind](now, payload):
                heapq.heappush(heap, (when, what, next(order), data))
        return now - start, self.completed


def simulate(config: SimConfig, progress: Callable[[int], None] | None = None) -> SimResult:
    """Run the workload on the deployment to completion; same config (seed included), same result."""
    wall = time.perf_counter()
    collecting = gc.isenabled()
    gc.disable()  # the run allocates many small objects and frees them itself: cyclic GC passes only cost time
    try:
        run = _Run(config, progress)
        makespan, completed = run.run()
    finally:
        if collecting:
            gc.enable()
    summary = run.metrics.summary(config.ttft_slo, config.itl_slo, makespan)
    caches = [r.cache.stats for r in run.front if r.cache is not None]
    cache = None
    if caches:
        q, h = sum(c.query_blocks for c in caches), sum(c.hit_blocks for c in caches)
        cache = {"kind": config.replica.prefix_cache, "query_blocks": q, "hit_blocks": h,
                 "hit_rate": h / q if q else 0.0, "evictions": sum(c.evictions for c in caches)}
    first = run.front[0]
    return SimResult(config, summary, cache, first.blocks.num_blocks, first.blocks.block_size,
                     time.perf_counter() - wall, completed)
