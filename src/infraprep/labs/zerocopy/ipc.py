"""Moving a buffer between two processes: pickle over a pipe, shared memory, an mmap'd file.

A producer process (spawned) holds ``nbytes`` of data, the words ``0, 1, 2, …`` as uint64. It is
made once, in shared memory and in a file, before any timing: a zero-copy design produces its data
where the consumer will read it. The consumer (this process) times each request:

* **pickle over a pipe** — ``Connection.send`` pickles the array into one byte string, writes it
  through a kernel pipe (copied in, copied out) and the consumer rebuilds an array from it;
* **shared memory** — the producer answers with the segment's name; the consumer attaches
  (``multiprocessing.shared_memory``, i.e. ``shm_open`` + ``mmap``) and wraps a numpy view;
* **mmap'd file** — the producer answers with the path; the consumer maps the file ``MAP_SHARED``
  and wraps a numpy view: the page cache is the shared memory.

The timed region ends when the consumer holds a usable array; a second figure adds one read pass (a
checksum compared with the closed form ``n(n-1)/2 mod 2^64``), which for a fresh mapping includes
its page faults. Finally a marker written through the consumer's array is looked up in the
producer's own buffer: shared memory and the file show it, the pickled copy does not.
"""

from __future__ import annotations

import mmap
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from infraprep.errors import InfraprepError
from infraprep.labs.zerocopy.transfer import Transfer

__all__ = ["IPC_METHODS", "measure_ipc"]

IPC_METHODS = ("pickle", "shm", "mmap")
_HOW = {
    "pickle": "multiprocessing Connection.send over os.pipe: pickle, pipe in, pipe out, unpickle",
    "shm": "multiprocessing.shared_memory segment + np.ndarray(buffer=shm.buf)",
    "mmap": "file in the temp dir, mmap MAP_SHARED + np.frombuffer",
}
_NAMES = {"pickle": "pickle over a pipe", "shm": "shared memory + numpy view", "mmap": "mmap'd file + numpy view"}
_MARKER = 0xDEADBEEF_CAFEF00D
_START_TIMEOUT_S = 120


def _producer(ctrl, data_out, nbytes: int, folder: str) -> None:
    """The other process: owns the data, answers requests until told to stop."""
    from multiprocessing import shared_memory

    import numpy as np

    words = nbytes // 8
    shm = shared_memory.SharedMemory(create=True, size=nbytes)
    in_shm = np.ndarray(words, dtype=np.uint64, buffer=shm.buf)
    in_shm[:] = np.arange(words, dtype=np.uint64)
    path = Path(folder) / "zerocopy.bin"
    with open(path, "w+b") as f:
        f.truncate(nbytes)
        mapped = mmap.mmap(f.fileno(), nbytes)
    in_file = np.frombuffer(mapped, dtype=np.uint64)
    in_file[:] = in_shm
    mine = {"pickle": in_shm, "shm": in_shm, "mmap": in_file}
    ctrl.send("ready")
    try:
        while True:
            request = ctrl.recv()
            if request == "pickle":
                data_out.send(in_shm)
            elif request == "shm":
                ctrl.send(shm.name)
            elif request == "mmap":
                ctrl.send(str(path))
            elif isinstance(request, tuple) and request[0] == "peek":
                _, method, index = request
                ctrl.send(int(mine[method][index]))
            else:
                break
    finally:
        del in_shm, in_file, mine
        mapped.close()
        shm.close()
        shm.unlink()
        path.unlink(missing_ok=True)


def _checksum_ok(array, words: int) -> bool:
    import numpy as np

    expected = (words * (words - 1) // 2) % 2**64
    return int(array.sum(dtype=np.uint64)) == expected and int(array[-1]) == words - 1


class _Consumer:
    """This process's side: one request per call, returning the array and a cleanup."""

    def __init__(self, ctrl, data_in, words: int) -> None:
        self.ctrl, self.data_in, self.words = ctrl, data_in, words

    def receive(self, method: str):
        import numpy as np

        if method == "pickle":
            self.ctrl.send("pickle")
            return self.data_in.recv(), lambda: None
        if method == "shm":
            from multiprocessing import shared_memory

            self.ctrl.send("shm")
            shm = shared_memory.SharedMemory(name=self.ctrl.recv())
            return np.ndarray(self.words, dtype=np.uint64, buffer=shm.buf), shm.close
        self.ctrl.send("mmap")
        with open(self.ctrl.recv(), "r+b") as f:
            mapped = mmap.mmap(f.fileno(), 0)
        return np.frombuffer(mapped, dtype=np.uint64), mapped.close

    def shared(self, method: str) -> bool:
        """Write a marker through a fresh receive and ask the producer what its buffer holds there."""
        array, close = self.receive(method)
        index = self.words // 2
        original = int(array[index])
        array[index] = _MARKER
        self.ctrl.send(("peek", method, index))
        seen = self.ctrl.recv()
        array[index] = original  # put the data back (for the shared ones, the producer's too)
        del array
        close()
        return seen == _MARKER


def measure_ipc(nbytes: int, reps: int, methods=IPC_METHODS,
                on_step: Callable[[str], None] | None = None) -> list[Transfer]:
    """Best-of-``reps`` transfer of ``nbytes`` (a multiple of 8) by each method, plus the sharing check."""
    import multiprocessing

    words = nbytes // 8
    ctx = multiprocessing.get_context("spawn")  # no fork of a process that may hold torch's threads
    ctrl, child_ctrl = ctx.Pipe(duplex=True)
    data_in, data_out = ctx.Pipe(duplex=False)  # duplex=False is a real os.pipe()
    with tempfile.TemporaryDirectory(prefix="infraprep-zerocopy-") as folder:
        if on_step:
            on_step("starting the producer process")
        producer = ctx.Process(target=_producer, args=(child_ctrl, data_out, nbytes, folder), daemon=True)
        producer.start()
        try:
            _wait_ready(ctrl, producer)
            consumer = _Consumer(ctrl, data_in, words)
            rows = []
            for method in methods:
                if on_step:
                    on_step(_NAMES[method])
                rows.append(_measure(consumer, method, nbytes, reps))
            return rows
        finally:
            ctrl.send("stop")
            producer.join(timeout=30)
            if producer.is_alive():
                producer.terminate()
                producer.join()


def _wait_ready(ctrl, producer) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while not ctrl.poll(0.2):
        if not producer.is_alive():
            raise InfraprepError(f"the producer process exited (code {producer.exitcode}) before it was ready")
        if time.monotonic() > deadline:
            raise InfraprepError(f"the producer process was not ready within {_START_TIMEOUT_S} s")
    if ctrl.recv() != "ready":
        raise InfraprepError("the producer process sent an unexpected first message")


def _measure(consumer: _Consumer, method: str, nbytes: int, reps: int) -> Transfer:
    best = best_read = float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        array, close = consumer.receive(method)
        usable = time.perf_counter()
        ok = _checksum_ok(array, consumer.words)
        read = time.perf_counter()
        del array
        close()
        if not ok:
            raise InfraprepError(f"{_NAMES[method]}: the received data is not what was sent (checksum mismatch)")
        best, best_read = min(best, usable - start), min(best_read, read - start)
    return Transfer(_NAMES[method], "between processes", nbytes, best, best_read, consumer.shared(method),
                    _HOW[method])

