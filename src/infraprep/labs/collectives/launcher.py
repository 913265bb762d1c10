"""Run a function on every rank: spawn the ranks here, or join the ``torchrun`` job we are part of.

``launch(worker, ranks)`` starts ``ranks`` processes, wires them with a TCP rendezvous on 127.0.0.1 and
returns rank 0's return value. On Linux with gloo the parent imports torch once and *forks* the ranks
(copy-on-write: no rank pays the ~3 s torch import again, which on a shared 2-core machine is most of a
launch); with nccl, or elsewhere, the ranks are *spawned* fresh (CUDA cannot survive a fork). Rank 0 may ``ctx.report(...)``
progress events, which reach the parent's ``on_event`` while the ranks run.

Inside torchrun (RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT in the environment) the same worker
runs in-process with ``init_method="env://"``, on one node or many; LOCAL_RANK picks the GPU.

Backend: ``gloo`` with CPU tensors, ``nccl`` with CUDA tensors (``auto``: nccl when CUDA is there).
"""

from __future__ import annotations

import os
import queue as queue_module
import socket
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from infraprep.errors import InfraprepError, InvalidValue

__all__ = ["RankContext", "in_torchrun", "launch", "resolve_backend", "run_in_job"]

_TORCHRUN_VARS = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def in_torchrun() -> bool:
    """True when this process is a rank of an existing job (torchrun or any env:// launcher)."""
    return all(v in os.environ for v in _TORCHRUN_VARS)


def resolve_backend(backend: str) -> str:
    """``auto`` → nccl when CUDA is available, else gloo; checks nccl has a GPU."""
    if backend not in ("auto", "gloo", "nccl"):
        raise InvalidValue("--backend", backend, "auto, gloo or nccl")
    if backend == "gloo":
        return backend
    import torch

    if torch.cuda.is_available() and torch.distributed.is_nccl_available():
        return "nccl"
    if backend == "nccl":
        raise InvalidValue("--backend", backend, "gloo or auto: no CUDA GPU with nccl here")
    return "gloo"


@dataclass
class RankContext:
    """What a worker gets: its rank, the job size, its device, and a progress channel (rank 0)."""

    rank: int
    world: int
    backend: str
    local_rank: int = 0
    local_world: int = 1
    _report: Callable[[object], None] | None = field(default=None, repr=False)

    @property
    def device(self):
        import torch

        return torch.device("cuda", self.local_rank) if self.backend == "nccl" else torch.device("cpu")

    def report(self, event: object) -> None:
        """Send a progress event to the launcher (only rank 0's events are forwarded)."""
        if self.rank == 0 and self._report is not None:
            self._report(event)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _init(ctx: RankContext, init_method: str, timeout_s: float) -> None:
    import torch
    import torch.distributed as dist

    if ctx.backend == "nccl":
        torch.cuda.set_device(ctx.local_rank)
    dist.init_process_group(ctx.backend, init_method=init_method, rank=ctx.rank, world_size=ctx.world,
                            timeout=timedelta(seconds=timeout_s))
    # The first collective wires every pair up; p2p batches afterwards need no warm-up (nccl rule).
    dist.barrier()


def _entry(rank, world, port, backend, threads, worker, args, events, timeout_s) -> None:
    """Body of a spawned rank: rendezvous, run the worker, ship rank 0's result or any rank's error."""
    if sys.platform.startswith("linux"):
        os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")  # all ranks are local: stay on loopback
    try:
        import torch
        import torch.distributed as dist

        if backend == "gloo" and threads:
            torch.set_num_threads(threads)  # ranks share the cores: one intra-op thread each
        ctx = RankContext(rank, world, backend, rank, world, lambda e: events.put(("progress", e)))
        _init(ctx, f"tcp://127.0.0.1:{port}", timeout_s)
        try:
            result = worker(ctx, *args)
        finally:
            dist.destroy_process_group()
        if rank == 0:
            events.put(("result", result))
    except BaseException:  # noqa: BLE001 — shipped to the parent, which raises
        events.put(("error", (rank, traceback.format_exc())))
        raise SystemExit(1) from None


def launch(worker: Callable, ranks: int, *, backend: str = "gloo", args: tuple = (),
           on_event: Callable[[object], None] | None = None, threads: int | None = 1,
           timeout_s: float = 600.0) -> object:
    """Spawn ``ranks`` local processes running ``worker(ctx, *args)``; return rank 0's value.

    ``worker`` must be a module-level function (it is pickled by name). ``threads`` caps torch's
    intra-op threads per CPU rank (None leaves torch's default).

    Raises:
        InvalidValue: ranks < 2 or an unknown backend.
        InfraprepError: a rank failed (its last traceback line is in the message) or timed out.
    """
    import multiprocessing as mp

    if isinstance(ranks, bool) or not isinstance(ranks, int) or ranks < 2:
        raise InvalidValue("--ranks", ranks, "an integer ≥ 2")
    backend = resolve_backend(backend) if backend != "gloo" else backend
    if backend == "gloo" and sys.platform.startswith("linux"):
        import torch.distributed  # noqa: F401  imported once here, inherited by the forked ranks

        spawn = mp.get_context("fork")
    else:
        spawn = mp.get_context("spawn")
    events = spawn.Queue()
    port = _free_port()
    procs = [spawn.Process(target=_entry, args=(r, ranks, port, backend, threads, worker, args, events, timeout_s),
                           daemon=True) for r in range(ranks)]
    for proc in procs:
        proc.start()
    result, error, got_result = None, None, False
    try:
        while not got_result and error is None:
            try:
                kind, payload = events.get(timeout=0.2)
            except queue_module.Empty:
                dead = [i for i, proc in enumerate(procs) if proc.exitcode not in (None, 0)]
                if dead:
                    try:  # the failing rank's traceback may still be in flight
                        kind, payload = events.get(timeout=2.0)
                    except queue_module.Empty:
                        kind, payload = "error", (dead[0], f"rank {dead[0]} exited with code {procs[dead[0]].exitcode}")
                else:
                    continue
            if kind == "progress" and on_event is not None:
                on_event(payload)
            elif kind == "result":
                result, got_result = payload, True
            elif kind == "error":
                error = payload
        if error is None:
            for proc in procs:
                proc.join(timeout=timeout_s)
    finally:
        for proc in procs:  # only our own children, by handle
            if proc.is_alive():
                proc.terminate()
                proc.join(timeout=5)
        events.close()
    if error is not None:
        rank, text = error
        last = [line for line in text.strip().splitlines() if line.strip()][-1]
        raise InfraprepError(f"rank {rank} failed: {last}")
    return result


def run_in_job(worker: Callable, *, backend: str = "auto", args: tuple = (),
               on_event: Callable[[object], None] | None = None, timeout_s: float = 600.0) -> object | None:
    """Run ``worker(ctx, *args)`` as this rank of the surrounding torchrun job; rank 0 gets the value."""
    import torch.distributed as dist

    env = os.environ
    ctx = RankContext(int(env["RANK"]), int(env["WORLD_SIZE"]), resolve_backend(backend),
                      int(env.get("LOCAL_RANK", "0")), int(env.get("LOCAL_WORLD_SIZE", env["WORLD_SIZE"])), on_event)
    own_group = not dist.is_initialized()
    if own_group:
        _init(ctx, "env://", timeout_s)
    result = worker(ctx, *args)
    if own_group:
        # Tear down what we set up, after every rank is done: a gloo group left to the interpreter's
        # exit can abort a rank ("terminate called without an active exception") when a peer has
        # already closed its sockets.
        dist.barrier()
        dist.destroy_process_group()
    return result if ctx.rank == 0 else None
