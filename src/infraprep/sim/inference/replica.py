"""One serving replica: the shared scheduler and block manager, timed by the roofline cost model.

The KV pool is what ``calc.kvcache`` leaves on the GPU: HBM × ``memory_utilization`` − weights per
GPU, in blocks of ``block_size`` tokens. A replica serves both phases (``mode="both"``), or only
prefills (its requests stop after the first token and move on) or only decodes (requests arrive with
their prompt's KV) for prefill/decode disaggregation (DistServe, Zhong et al. OSDI 2024 §3;
Splitwise, Patel et al. ISCA 2024).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from infraprep.calc.hardware import get_accelerator
from infraprep.calc.kvcache import capacity, inputs_from_model, kv_cache, model_params
from infraprep.calc.model import get_model
from infraprep.errors import InfraprepError, InvalidValue
from infraprep.sim.inference.cost import CostModel
from infraprep.sim.inference.metrics import MetricsCollector
from infraprep.sim.serving import Batch, BlockManager, Scheduler, SchedulerConfig, make_prefix_cache

__all__ = ["Replica", "ReplicaConfig"]


@dataclass(frozen=True)
class ReplicaConfig:
    """Hardware, model and serving policy of a replica (defaults: vLLM's where it has one).

    ``swap_space`` bytes of CPU memory per GPU hold swapped blocks (vLLM default 4 GiB), moved at
    ``swap_bandwidth`` (default 25 GB/s: a PCIe Gen4 ×16 link's 32 GB/s per direction, derated).
    ``static_padding``: a static batch computes padding — prompts padded to the longest, finished
    members kept in the batch (Hugging Face ``generate``, FasterTransformer); False charges only the
    live tokens, the static baseline's best case.
    """

    model: str = "llama3-8b"
    gpu: str = "h100-sxm"
    tp: int = 1
    block_size: int = 16
    memory_utilization: float = 0.9
    num_blocks: int | None = None
    prefix_cache: str = "none"
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    swap_space: float = 4 * 2**30
    swap_bandwidth: float = 25e9
    compute_efficiency: float = 0.6
    memory_efficiency: float = 0.8
    overhead: float = 0.5e-3
    static_padding: bool = True

    def __post_init__(self) -> None:
        if self.block_size not in (1, 2, 4, 8, 16, 32, 64, 128):
            raise InvalidValue("--block-size", self.block_size, "a power of two from 1 to 128")
        if not 0 < self.memory_utilization <= 1:
            raise InvalidValue("--mem-util", self.memory_utilization, "a fraction in (0, 1]")
        if self.num_blocks is not None and not 1 <= self.num_blocks <= 1 << 30:
            raise InvalidValue("--num-blocks", self.num_blocks, "a positive block count")


class Replica:
    """Runs iterations back to back while it has work; see :meth:`start` and :meth:`finish`."""

    def __init__(self, index: int, config: ReplicaConfig, metrics: MetricsCollector, mode: str = "both") -> None:
        model, gpu = get_model(config.model), get_accelerator(config.gpu)
        self.index, self.config, self.metrics, self.mode = index, config, metrics, mode
        self.cost = CostModel(model, gpu, config.tp, compute_efficiency=config.compute_efficiency,
                              memory_efficiency=config.memory_efficiency, overhead=config.overhead)
        kv = kv_cache(inputs_from_model(model, tp=config.tp, tokens=config.block_size))
        self.budget = capacity(kv, gpu, model_params(model), memory_utilization=config.memory_utilization)
        block_bytes = kv.bytes_per_sequence  # one block of block_size tokens, per GPU
        num_blocks = config.num_blocks or int(self.budget.capacity.kv_budget_bytes // block_bytes)
        if num_blocks < 1:
            raise InfraprepError(f"{model.name} does not fit {config.tp}× {gpu.name} with --mem-util "
                                 f"{config.memory_utilization:g}: no room for KV blocks (raise --tp)")
        self.block_bytes = block_bytes
        self.cache = make_prefix_cache(config.prefix_cache if mode != "decode" else "none")
        cpu_blocks = int(config.swap_space // block_bytes) if config.scheduler.preemption == "swap" else 0
        self.blocks = BlockManager(num_blocks, config.block_size, cpu_blocks, evictor=self.cache)
        self.sched = Scheduler(config.scheduler, self.blocks, self.cache)
        self.busy = False
        self.batch: Batch | None = None
        self.last_decode_end = 0.0
        self._duration = 0.0

    # -- timing ----------------------------------------------------------------------------------
    def duration(self, batch: Batch) -> float:
        """Seconds for ``batch`` (cost model) plus its swap traffic."""
        prefills = batch.prefills
        padded = self.config.static_padding
        if batch.padded_prefill_tokens and padded:  # static batching pads every prompt to the longest
            longest = batch.padded_prefill_tokens // len(prefills)
            tokens, pairs = batch.padded_prefill_tokens, len(prefills) * longest * (longest + 1) // 2
            reads = tokens
        else:
            tokens, pairs, reads = 0, 0, 0
            for _, start, n in prefills:
                tokens += n
                pairs += n * start + n * (n + 1) // 2
                reads += start + n
        decodes, context = batch.num_decodes, batch.decode_context
        if batch.padded_decodes and padded:
            decodes, context = batch.padded_decodes, batch.padded_context
        seconds = self.cost.iteration_time(tokens + decodes, pairs + context, reads + context, len(prefills) + decodes)
        swaps = len(batch.swap_in) + len(batch.swap_out)
        if swaps:
            seconds += swaps * self.block_bytes / self.config.swap_bandwidth
        return seconds

    # -- one iteration ---------------------------------------------------------------------------
    def start(self, now: float) -> float | None:
        """Schedule and time the next iteration; its end time, or None (idle) when there is no work."""
        batch = self.sched.schedule()
        for seq in batch.preempted:
            if seq.last_emit_step >= 0:  # it had just decoded: its last token came at the last decode end
                seq.last_token_time = self.last_decode_end
        self.metrics.preemptions += len(batch.preempted)
        if batch.empty:
            self.busy, self.batch = False, None
            return None
        self.busy, self.batch = True, batch
        self._duration = self.duration(batch)
        sched, blocks = self.sched, self.blocks
        used = blocks.num_used
        tokens = sched.decode_context  # every decoding sequence's KV, whether or not it runs now
        if sched.prefilling:
            ends = {seq.seq_id: start + n for seq, start, n in batch.prefills}
            tokens += sum(ends.get(sid, seq.computed) for sid, seq in sched.prefilling.items())
        slots = used * blocks.block_size
        waste = max(0.0, 1.0 - tokens / slots) if slots else 0.0
        self.metrics.iteration(self._duration, used / blocks.num_blocks, waste, sched.num_running)
        return now + self._duration

    def finish(self, now: float) -> list:
        """Close the iteration ending ``now``: record token times; returns the finished requests."""
        batch, sched, metrics = self.batch, self.sched, self.metrics
        finished = sched.finish_step(batch)
        if batch.num_decodes:
            continuing = batch.num_decodes - len(batch.joined)
            if continuing:
                metrics.itl(now - self.last_decode_end, continuing)
            for seq in batch.joined:
                metrics.itl(now - seq.last_token_time, 1)
            self.last_decode_end = now
        for seq, start, n in batch.prefills:
            if start + n == seq.prefill_len:  # the prefill's last chunk: it emitted a token
                if seq.first_token is None:
                    seq.first_token = now
                else:
                    metrics.itl(now - seq.last_token_time, 1)  # resumed after a recompute
                seq.last_token_time = now
        for seq in finished:
            seq.finish = now
        return finished
