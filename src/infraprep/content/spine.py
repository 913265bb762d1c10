"""The product's spine: the seven interview rounds and the 28 competencies (stable ids).

Source: the seed brief (``shared/seed``) and ``shared/DESIGN.md``. Ids never change once published:
attempts in a candidate's store and checkboxes in their README refer to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from infraprep.errors import UnknownName

__all__ = [
    "COMPETENCIES",
    "COMPETENCY_IDS",
    "ROUNDS",
    "Competency",
    "Round",
    "competencies_of",
    "get_competency",
    "get_round",
]


@dataclass(frozen=True)
class Round:
    """One interview round. ``slug`` is its directory at the repository root."""

    number: int
    slug: str
    focus: str
    courses: tuple[str, ...]
    minutes: int

    @property
    def title(self) -> str:
        return f"Round {self.number}: {self.focus}"


@dataclass(frozen=True)
class Competency:
    """One of the 28 competencies: ``id`` like ``r3.memory-formula``; names in Chinese and English."""

    id: str
    round: int
    zh: str
    en: str

    @property
    def label(self) -> str:
        return f"{self.zh} {self.en}" if self.zh else self.en


ROUNDS: tuple[Round, ...] = (
    Round(1, "round-1-systems-coding", "Low-Level Systems Coding (C++/CUDA & Concurrency)", ("SYS-601",), 60),
    Round(2, "round-2-gpu-kernel", "GPU Architecture and Kernel Design", ("SYS-601", "SYS-604"), 60),
    Round(3, "round-3-distributed-training", "Distributed Training Architecture", ("SYS-602",), 60),
    Round(4, "round-4-networking", "High-Performance Networking (Collectives & RDMA)", ("SYS-603",), 60),
    Round(5, "round-5-inference", "High-Throughput Inference System Design", ("SYS-604",), 60),
    Round(6, "round-6-resilience", "Resilience, Scheduling, and Orchestration", ("SYS-605",), 60),
    Round(7, "round-7-capstone", "Scalable AI Mega-Cluster Design (Capstone)", ("All",), 90),
)

COMPETENCIES: tuple[Competency, ...] = (
    Competency("r1.lockfree", 1, "无锁并发数据结构", "Lock-free data structures"),
    Competency("r1.memory-order", 1, "原子操作与内存顺序", "Atomics and memory ordering (std::memory_order_acquire)"),
    Competency("r1.zero-copy", 1, "零拷贝", "Zero-copy"),
    Competency("r1.cuda-smem-matmul", 1, "CUDA 共享内存优化的矩阵乘法", "Shared-memory tiled matmul"),
    Competency("r2.flash-attention", 2, "FlashAttention 分块计算原理白板推演", "FlashAttention tiling"),
    Competency("r2.warp-parallelism", 2, "Warp 级并行与内存交互调度", "Warp-level parallelism and memory scheduling"),
    Competency("r2.operator-fusion", 2, "算子融合", "Operator fusion"),
    Competency("r2.fp8", 2, "FP8 量化下的指令流利用率", "FP8 and instruction-stream utilization"),
    Competency("r3.parallelism-3d", 3, "DP/TP/PP 多维度组合设计", "Combining DP/TP/PP"),
    Competency("r3.comm-volume", 3, "通信流量数学推演", "Communication volume math"),
    Competency("r3.memory-formula", 3, "显存占用公式", "Memory: weights + gradients + optimizer states (+ activations)"),
    Competency("r3.dualpipe", 3, "DualPipe 计算-通信重叠", "DualPipe compute-communication overlap"),
    Competency("r4.ring-vs-tree", 4, "Ring AllReduce vs Tree AllReduce 数学权衡", "Ring vs tree all-reduce trade-off"),
    Competency("r4.rdma-bypass", 4, "RDMA 内核旁路", "Kernel bypass"),
    Competency("r4.ecmp", 4, "ECMP 哈希流碰撞与长尾延迟", "ECMP collisions and tail latency"),
    Competency("r4.pfc-deadlock", 4, "PFC 死锁现象与规避", "PFC deadlock"),
    Competency("r5.kv-growth", 5, "KV Cache 动态膨胀问题", "KV-cache growth"),
    Competency("r5.paged-attention", 5, "PagedAttention 与 OS 页表对比", "PagedAttention vs OS page tables"),
    Competency("r5.prefix-caching", 5, "前缀缓存", "Prefix caching"),
    Competency("r5.ttft-itl", 5, "TTFT vs ITL 平衡 (SLA 约束)", "TTFT vs ITL balance under an SLA"),
    Competency("r6.gang-scheduling", 6, "Volcano Gang Scheduling 防死锁", "Gang scheduling against deadlock"),
    Competency("r6.multilevel-checkpoint", 6, "多层级 Checkpointing 低损耗高频快照", "Multi-level checkpointing"),
    Competency("r6.redundant-pipelines", 6, "冗余流水线模板平滑自愈", "Redundant pipeline templates"),
    Competency("r6.mtbf", 6, "万卡 MTBF 分析", "MTBF at 10k GPUs"),
    Competency("r7.topology", 7, "物理数据中心组网拓扑选择", "Data-center topology"),
    Competency("r7.parallelism-locality", 7, "并行策略对节点局部性约束", "Parallelism vs node locality"),
    Competency("r7.storage-io", 7, "海量数据并行文件系统 I/O 预估", "Parallel file-system I/O"),
    Competency("r7.mfu", 7, "MFU 计算", "MFU (Model FLOPS Utilization)"),
)

_BY_ID = {c.id: c for c in COMPETENCIES}
COMPETENCY_IDS: tuple[str, ...] = tuple(_BY_ID)


def get_round(number: int | str) -> Round:
    """The round with this number (1-7) or slug; :class:`UnknownName` lists the valid ones."""
    text = str(number).strip()
    for r in ROUNDS:
        if text in (str(r.number), r.slug):
            return r
    if text.isdigit():
        raise UnknownName("round", text, [str(r.number) for r in ROUNDS])
    raise UnknownName("round", text, [r.slug for r in ROUNDS])


def get_competency(cid: str) -> Competency:
    """The competency with this id; :class:`UnknownName` suggests the nearest ids."""
    try:
        return _BY_ID[cid]
    except KeyError:
        raise UnknownName("competency", cid, _BY_ID) from None


def competencies_of(round_number: int) -> tuple[Competency, ...]:
    """The four competencies of a round, in the seed's order."""
    return tuple(c for c in COMPETENCIES if c.round == round_number)
