"""Fault drill: SIGKILL the trainer at random moments (mid-write included), restart it, and check that
every restore is consistent and the final parameters are bit-identical to an uninterrupted run.

Trainers are forked from one fork server that has already imported torch (``_warm``), so a
restart costs milliseconds instead of a torch import; SIGKILL goes to the forked trainer only.

A *campaign* is one training job in a fresh directory, killed until it completes; campaigns repeat
until ``kills`` kills have landed. Every ``crash_every``-th trainer instead kills itself at a chosen
point of the commit protocol (after half the data is written, before the data rename, before the
manifest rename) — the mid-write crashes random timing may or may not hit.
"""

from __future__ import annotations

import random
import shutil
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from infraprep.errors import InfraprepError
from infraprep.labs.checkpoint.store import CRASH_POINTS, LevelStore
from infraprep.labs.checkpoint.trainer import RunConfig, read_events, run
from infraprep.labs.forkserver import forkserver_context

__all__ = ["FaultReport", "compare_final", "fault_drill"]


@dataclass
class FaultReport:
    kills: int = 0  # trainers that died of SIGKILL (timed kills that landed + crash points)
    timed_kills: int = 0
    crash_point_kills: Counter = field(default_factory=Counter)
    missed_kills: int = 0  # trainers that finished before their kill came
    node_losses: int = 0  # kills after which the local level was wiped (the node is gone)
    campaigns: int = 0
    restores: int = 0
    restore_levels: Counter = field(default_factory=Counter)
    inconsistent_restores: list = field(default_factory=list)
    corrupt_skipped: int = 0
    cleaned_tmp: int = 0
    cleaned_orphans: int = 0
    identical_campaigns: int = 0
    failures: list = field(default_factory=list)
    reference_digest: str = ""
    seconds: float = 0.0

    @property
    def all_identical(self) -> bool:
        return self.campaigns > 0 and self.identical_campaigns == self.campaigns and not self.failures

    def to_dict(self) -> dict:
        return {
            "kills": self.kills, "timed_kills": self.timed_kills, "crash_point_kills": dict(self.crash_point_kills),
            "missed_kills": self.missed_kills, "node_losses": self.node_losses, "campaigns": self.campaigns, "restores": self.restores,
            "restore_levels": {str(k): v for k, v in self.restore_levels.items()},
            "inconsistent_restores": self.inconsistent_restores, "corrupt_skipped": self.corrupt_skipped,
            "interrupted_writes_cleaned": {"tmp": self.cleaned_tmp, "orphans": self.cleaned_orphans},
            "identical_campaigns": self.identical_campaigns, "all_identical": self.all_identical,
            "failures": self.failures, "seconds": self.seconds,
        }


def _run_child(ctx, config: RunConfig, kill_after: float | None, kill_when: Callable[[], object] | None = None):
    """Start a trainer; SIGKILL it after ``kill_after`` s, or as soon as ``kill_when()`` holds (polled
    every 10 ms); with neither, let it finish. Returns (exitcode, seconds)."""
    start = time.perf_counter()
    proc = ctx.Process(target=run, args=(config,), daemon=True)
    proc.start()
    if kill_when is None:
        proc.join(kill_after)
    else:
        while proc.is_alive() and not kill_when():
            proc.join(0.01)
    if proc.is_alive():
        proc.kill()  # SIGKILL
        proc.join()
    return proc.exitcode, time.perf_counter() - start


def compare_final(a_root: str | Path, b_root: str | Path) -> bool:
    """Load both runs' newest level-1 checkpoints and compare every tensor bit for bit."""
    import io

    import torch

    states = []
    for root in (a_root, b_root):
        store = LevelStore(Path(root) / "local", 1)
        newest = store.committed()[0]
        states.append(torch.load(io.BytesIO(store.verify(newest)), weights_only=True))

    def same(x, y) -> bool:
        if isinstance(x, torch.Tensor):
            return isinstance(y, torch.Tensor) and x.dtype == y.dtype and x.shape == y.shape and torch.equal(x, y)
        if isinstance(x, dict):
            return isinstance(y, dict) and x.keys() == y.keys() and all(same(x[k], y[k]) for k in x)
        if isinstance(x, (list, tuple)):
            return len(x) == len(y) and all(same(u, v) for u, v in zip(x, y, strict=True))
        return x == y

    return same(*states)


def fault_drill(root: str | Path, base: RunConfig, kills: int, seed: int = 0, crash_every: int = 3,
                node_loss_every: int = 5, window_fraction: float = 8.0, progress: Callable[[int], None] | None = None) -> FaultReport:
    """Run the reference job, then campaigns of killed trainers until ``kills`` kills landed.

    Timed kills come after a delay uniform in [0, reference run time ÷ ``window_fraction``], so a
    campaign sees several kills (at any moment: start-up, restore, training, mid-write) before it ends.
    Every ``node_loss_every``-th timed kill also wipes the local level, as if the node were gone, once
    the remote level holds a checkpoint (if it holds none yet, the next trainer is killed right after
    its first upload, and the node is lost then): the next trainer must restore from the remote level.
    """
    root = Path(root)
    tick = progress or (lambda n=1: None)
    rng = random.Random(seed)
    report = FaultReport()
    started = time.perf_counter()
    ctx = forkserver_context()
    ref = replace(base, root=str(root / "reference"), log_digests=True, crash=None)
    shutil.rmtree(ref.root, ignore_errors=True)
    code, _ = _run_child(ctx, ref, None)
    ref_events = read_events(ref.root)
    if code != 0 or not ref_events or ref_events[-1]["event"] != "done":
        raise InfraprepError(f"the reference training run failed (exit code {code})")
    digests = {e["step"]: e["digest"] for e in ref_events if e["event"] == "step"}
    report.reference_digest = ref_events[-1]["digest"]
    window = max(ref_events[-1]["seconds"] / window_fraction, 0.02)  # kill delays: uniform in [0, window]
    trainers = 0
    while report.kills < kills:
        report.campaigns += 1
        camp = replace(base, root=str(root / f"campaign-{report.campaigns}"), log_digests=False)
        loss_due = False
        shutil.rmtree(camp.root, ignore_errors=True)
        remote = LevelStore(Path(camp.root) / "remote", 2)  # read-only here: what the trainers uploaded
        while report.kills < kills:
            trainers += 1
            if crash_every and trainers % crash_every == 0:
                point = CRASH_POINTS[(trainers // crash_every) % len(CRASH_POINTS)]
                code, _ = _run_child(ctx, replace(camp, crash=(point, rng.randint(1, 3))), None)
                if code == -signal.SIGKILL:
                    report.crash_point_kills[point] += 1
            else:
                if loss_due:  # a node loss waits for a remote checkpoint: this trainer dies right after an upload
                    code, _ = _run_child(ctx, camp, None, kill_when=remote.committed)
                else:
                    code, _ = _run_child(ctx, camp, rng.uniform(0.0, window))
                if code == -signal.SIGKILL:
                    report.timed_kills += 1
                    loss_due = loss_due or bool(node_loss_every and report.timed_kills % node_loss_every == 0)
                    # lose the node only once the remote level holds a checkpoint, so the restore that
                    # follows exercises level 2 (when short kill delays keep the job from ever finishing
                    # an upload, the next trainer is killed right after its first one)
                    if loss_due and remote.committed():
                        shutil.rmtree(Path(camp.root) / "local", ignore_errors=True)
                        report.node_losses += 1
                        loss_due = False
            if code == -signal.SIGKILL:
                report.kills += 1
                tick(1)
                continue
            if code != 0:
                report.failures.append(f"campaign {report.campaigns}: trainer exited with {code}")
                break
            report.missed_kills += 1
            break  # the job finished: this campaign is over
        code, _ = _run_child(ctx, camp, None)  # finish the job (a no-op if it already finished)
        _check_campaign(report, camp.root, code, digests, ref.root)
    report.seconds = time.perf_counter() - started
    return report


def _check_campaign(report: FaultReport, root: str, code: int | None, digests: dict, ref_root: str) -> None:
    events = read_events(root)
    for e in events:
        if e["event"] == "clean":
            report.cleaned_tmp += e["tmp"]
            report.cleaned_orphans += e["orphans"]
        if e["event"] != "restore":
            continue
        report.restores += 1
        report.restore_levels[e["level"]] += 1
        report.corrupt_skipped += len(e["skipped"])
        if digests.get(e["step"]) != e["digest"]:
            report.inconsistent_restores.append({"root": root, "step": e["step"], "level": e["level"]})
    done = [e for e in events if e["event"] == "done"]
    if code != 0 or not done:
        report.failures.append(f"{root}: the final trainer exited with {code}")
        return
    if done[-1]["digest"] == report.reference_digest and compare_final(root, ref_root):
        report.identical_campaigns += 1
    else:
        report.failures.append(f"{root}: final state differs from the uninterrupted run")
