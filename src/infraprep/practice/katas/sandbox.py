"""Run untrusted candidate code with limits, and say in one line what went wrong.

Containment, from always available to best effort:

* a new session (process group) killed as a whole when the run ends or times out;
* rlimits in the child: CPU seconds, address space (memory), file size, no core dumps, and — for a
  non-root user — the number of processes;
* a pids cgroup (v1 ``/sys/fs/cgroup/pids`` or v2 with the ``pids`` controller) when writable, which
  also catches processes that leave the session;
* a watchdog thread that counts the session's processes every few milliseconds and kills the group
  past the limit (root ignores RLIMIT_NPROC, so this is what stops a fork bomb where no cgroup exists).

The runner itself never dies with the candidate: every outcome is a :class:`RunResult`.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Limits", "RunResult", "run_limited"]

_SIGNAL_NAMES = {signal.SIGSEGV: "SIGSEGV (segmentation fault)", signal.SIGABRT: "SIGABRT (abort)",
                 signal.SIGBUS: "SIGBUS (bus error)", signal.SIGFPE: "SIGFPE (arithmetic error)",
                 signal.SIGILL: "SIGILL (illegal instruction)", signal.SIGXCPU: "SIGXCPU (CPU time limit)"}


@dataclass(frozen=True)
class Limits:
    wall_s: float = 60.0
    cpu_s: float = 60.0
    memory_bytes: int | None = 1 << 30  # address space per process; None for ThreadSanitizer (huge shadow maps)
    max_procs: int = 64
    file_bytes: int = 64 << 20


@dataclass(frozen=True)
class RunResult:
    returncode: int | None
    verdict: str  # ok, failed, timeout, crashed, memory, processes
    message: str
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"

    def tail(self, lines: int = 40) -> str:
        text = (self.stdout + ("\n" + self.stderr if self.stderr.strip() else "")).strip()
        return "\n".join(text.splitlines()[-lines:])


class _PidsCgroup:
    """A throw-away pids cgroup, or nothing when the machine does not offer a writable one."""

    def __init__(self, max_procs: int) -> None:
        self.path: Path | None = None
        if max_procs <= 0:
            return
        for base in (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup")):
            if not (base / "cgroup.procs").exists():
                continue
            if base == Path("/sys/fs/cgroup") and "pids" not in _read(base / "cgroup.subtree_control"):
                continue
            candidate = base / f"infraprep-kata-{uuid.uuid4().hex[:12]}"
            try:
                candidate.mkdir()
                (candidate / "pids.max").write_text(str(max_procs))
                self.path = candidate
            except OSError:
                if candidate.exists():
                    _rmdir(candidate)
            break

    def join(self) -> None:  # in the child, before exec
        if self.path is not None:
            (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def hit_limit(self) -> bool:
        if self.path is None:
            return False
        events = _read(self.path / "pids.events")
        return any(line.split()[-1] != "0" for line in events.splitlines() if line.startswith("max"))

    def kill_all(self) -> None:
        if self.path is None:
            return
        for _ in range(100):
            pids = [int(p) for p in _read(self.path / "cgroup.procs").split()]
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)
        _rmdir(self.path)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _rmdir(path: Path) -> None:
    for _ in range(50):
        try:
            path.rmdir()
            return
        except OSError:
            time.sleep(0.02)


def _session_pids(sid: int) -> list[int]:
    """Processes whose session id is ``sid`` (field 6 of /proc/PID/stat)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _read(Path("/proc") / entry / "stat")
            fields = stat.rpartition(")")[2].split()
            if len(fields) > 3 and fields[3] == str(sid):
                found.append(int(entry))
    return found


def _kill_session(sid: int) -> None:
    for _ in range(100):
        try:
            os.killpg(sid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if not _session_pids(sid):
            return
        time.sleep(0.01)


def run_limited(cmd: list[str], cwd: Path, env: dict[str, str], limits: Limits, use_cgroup: bool = True) -> RunResult:
    """Run ``cmd`` contained by ``limits``; never raises for anything the command does.

    ``use_cgroup=False`` skips the pids cgroup (tests use it to prove the watchdog alone holds)."""
    cgroup = _PidsCgroup(limits.max_procs if use_cgroup else 0)
    is_root = os.geteuid() == 0

    def in_child() -> None:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        cpu = int(limits.cpu_s) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
        if limits.memory_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        if not is_root:
            running = len([p for p in os.listdir("/proc") if p.isdigit()])
            resource.setrlimit(resource.RLIMIT_NPROC, (running + limits.max_procs,) * 2)
        cgroup.join()

    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    start = time.monotonic()
    too_many = threading.Event()
    try:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                start_new_session=True, preexec_fn=in_child)
    except OSError as exc:
        cgroup.kill_all()
        return RunResult(None, "failed", f"could not start {cmd[0]}: {exc.strerror}", "", "", 0.0)

    def watchdog() -> None:
        while proc.poll() is None:
            if len(_session_pids(proc.pid)) > limits.max_procs:
                too_many.set()
                _kill_session(proc.pid)
                return
            time.sleep(0.005)

    threading.Thread(target=watchdog, daemon=True).start()
    timed_out = False
    try:
        proc.wait(timeout=limits.wall_s)
    except subprocess.TimeoutExpired:
        timed_out = True
    _kill_session(proc.pid)
    proc.wait()
    cgroup_hit = cgroup.hit_limit()
    cgroup.kill_all()
    seconds = time.monotonic() - start
    out.seek(0)
    err.seek(0)
    stdout = out.read().decode("utf-8", "replace")
    stderr = err.read().decode("utf-8", "replace")
    out.close()
    err.close()
    verdict, message = _classify(proc.returncode, timed_out, too_many.is_set() or cgroup_hit, stdout + stderr, limits)
    return RunResult(proc.returncode, verdict, message, stdout, stderr, seconds)


def _classify(rc: int | None, timed_out: bool, too_many: bool, output: str, limits: Limits) -> tuple[str, str]:
    mib = (limits.memory_bytes or 0) >> 20
    if too_many or ("Resource temporarily unavailable" in output and "fork" in output.lower()):
        return "processes", f"tried to run more than {limits.max_procs} processes/threads (a fork bomb?) and was stopped"
    if timed_out:
        return "timeout", f"timed out after {limits.wall_s:g} s (an infinite loop or a deadlock?)"
    if rc == -signal.SIGXCPU:
        return "timeout", f"used more than {limits.cpu_s:g} s of CPU (an infinite loop?)"
    if "MemoryError" in output or "std::bad_alloc" in output or "Cannot allocate memory" in output:
        return "memory", f"ran out of memory: the limit is {mib} MiB"
    if rc == -signal.SIGKILL:
        return "crashed", f"was killed (CPU limit {limits.cpu_s:g} s or memory limit {mib} MiB)"
    if rc is not None and rc < 0:
        name = _SIGNAL_NAMES.get(-rc, signal.Signals(-rc).name)
        return "crashed", f"crashed with {name}"
    if rc == 0:
        return "ok", "passed"
    return "failed", f"exited with status {rc}"
