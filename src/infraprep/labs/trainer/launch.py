"""Start the ranks: spawned locally over gloo, or as the ranks of an existing ``torchrun`` job.

* Local (:func:`run_local`): ``world`` processes are started on this machine (forked from a
  preloaded fork server where the platform has one, else spawned), one CPU thread each,
  rendezvous through a file store in a temporary directory (no port to pick), gloo backend. One
  spawn can run several configurations in turn — each on ranks ``0 … dp·tp·pp − 1`` while the others
  only take part in creating the groups — because each rank pays seconds to import torch.
* torchrun (:func:`run_torchrun`): when ``RANK``/``WORLD_SIZE`` are set (``torchrun --nproc-per-node
  N -m infraprep lab train …``), this process *is* a rank: nccl on ``cuda:LOCAL_RANK`` when CUDA is
  present, else gloo on CPU. Rank 0 gathers every rank's report (unmetered) and returns it.

Each rank's report is the plain dict of :func:`~infraprep.labs.trainer.worker.train_rank`.
"""

from __future__ import annotations

import contextlib
import os
import queue as queue_module
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

from infraprep.labs.forkserver import forkserver_context
from infraprep.labs.trainer.config import TrainConfig
from infraprep.labs.trainer.layout import Coords, Layout

__all__ = ["in_torchrun", "run_local", "run_torchrun"]

StepCallback = Callable[[int, int], None]  # (configuration index, step finished)


def in_torchrun() -> bool:
    """True inside a torchrun/torch.distributed.run job (its rank environment is set)."""
    return all(k in os.environ for k in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"))


def _reporter(config: TrainConfig) -> int:
    """The rank that reports progress: DP 0, TP 0 on the last stage (it knows the loss)."""
    return Layout(config.dp, config.tp, config.pp).rank(Coords(0, 0, config.pp - 1))


def _run_configs(rank: int, configs: list[TrainConfig], report: Callable[[int, int], None] | None,
                 keep_params: bool, device: Any) -> list[dict | None]:
    from infraprep.labs.trainer.layout import build_groups
    from infraprep.labs.trainer.worker import train_rank

    out: list[dict | None] = []
    for j, config in enumerate(configs):
        groups = build_groups(Layout(config.dp, config.tp, config.pp), rank, list(range(config.world)))
        if groups is None:
            out.append(None)
            continue
        on_step = (lambda step, _loss, j=j: report(j, step)) if report and rank == _reporter(config) else None
        out.append(train_rank(config, groups, device, on_step, keep_params))
    return out


def _rank_entry(rank: int, world: int, configs: list[TrainConfig], workdir: str, progress: Any, keep_params: bool) -> None:
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{workdir}/store", rank=rank, world_size=world)
    try:
        results = _run_configs(rank, configs, lambda j, step: progress.put((j, step)), keep_params, "cpu")
        for j, r in enumerate(results):
            if r is not None:
                torch.save(r, os.path.join(workdir, f"c{j}_r{rank}.pt"))
        dist.barrier()
    finally:
        dist.destroy_process_group()


def _start_method() -> str:
    """``forkserver`` where there is one: a clean server process imports torch and the trainer once
    and forks every rank from it, so 8 ranks cost one torch import (~3 s of CPU) instead of 8. The
    server never runs a torch op or a thread pool before forking, which is what makes forking safe.
    Elsewhere ``spawn`` (each rank imports torch itself)."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return "spawn"
    forkserver_context()  # the preload every lab shares (labs/forkserver.py)
    return "forkserver"


@contextlib.contextmanager
def _single_threaded_children() -> Iterator[None]:
    """Spawned ranks inherit the environment: one OpenMP thread each (ranks ≫ cores here)."""
    saved = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    os.environ.update({k: "1" for k in saved})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_local(configs: list[TrainConfig], world: int | None = None, on_step: StepCallback | None = None,
              keep_params: bool = True, timeout_s: float = 900.0) -> list[list[dict]]:
    """Spawn ``world`` (default: the largest configuration's) gloo ranks and run ``configs`` in turn.

    Returns, per configuration, its ranks' reports in rank order. Raises RuntimeError when a rank
    fails (with its traceback) or the run exceeds ``timeout_s``.
    """
    import torch
    import torch.multiprocessing as mp

    world = world or max(c.world for c in configs)
    if any(c.world > world for c in configs):
        raise ValueError(f"a configuration needs more than {world} ranks")
    method = _start_method()
    ctx = mp.get_context(method)
    progress = ctx.Queue()
    with tempfile.TemporaryDirectory(prefix="infraprep-train-") as workdir, _single_threaded_children():
        procs = mp.start_processes(_rank_entry, args=(world, configs, workdir, progress, keep_params),
                                   nprocs=world, join=False, start_method=method)
        deadline = time.monotonic() + timeout_s
        try:
            while not procs.join(timeout=0.1):
                _drain(progress, on_step)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the ranks did not finish within {timeout_s:.0f} s")
        except BaseException:
            for p in procs.processes:
                if p.is_alive():
                    p.terminate()
            raise
        _drain(progress, on_step)
        return [[torch.load(os.path.join(workdir, f"c{j}_r{r}.pt"), weights_only=False) for r in range(c.world)]
                for j, c in enumerate(configs)]


def _drain(progress: Any, on_step: StepCallback | None) -> None:
    while True:
        try:
            j, step = progress.get_nowait()
        except queue_module.Empty:
            return
        if on_step is not None:
            on_step(j, step)


def run_torchrun(config: TrainConfig, on_step: StepCallback | None = None, keep_params: bool = True) -> list[dict] | None:
    """Run as one rank of the surrounding torchrun job; rank 0 returns all reports, others None."""
    import torch
    import torch.distributed as dist

    from infraprep.errors import InvalidValue

    world = int(os.environ["WORLD_SIZE"])
    if world != config.world:
        raise InvalidValue("--dp × --tp × --pp", config.world, f"the torchrun world size {world}")
    cuda = torch.cuda.is_available()
    device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0"))) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
    dist.init_process_group("nccl" if cuda else "gloo")
    try:
        rank = dist.get_rank()
        (result,) = _run_configs(rank, [config], on_step, keep_params, device)
        reports: list[Any] | None = [None] * world if rank == 0 else None
        dist.gather_object(result, reports, dst=0)
        return reports
    finally:
        dist.destroy_process_group()
