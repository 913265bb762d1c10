"""Two ways to bounce a message off another process: TCP over loopback, and a shared-memory ring.

Both run an *echo server* in a forked process and a client in this one; the client times each round
trip. The protocol is the same: a message carries a length; two reserved lengths tell the server to
take a CPU-usage snapshot (``MARK``) and to report its snapshots and exit (``STOP``), so the server's
CPU time covers exactly the timed messages.

* **TCP**: ``sendall``/``recv_into`` on a TCP_NODELAY socket. Every message is two system calls per
  side, a copy into and out of the kernel's socket buffers, and a sleep/wake-up of the receiver.
* **Shared memory**: one ``multiprocessing.shared_memory`` segment holds a request slot and a reply
  slot, each a sequence number, a length and the payload. The writer copies the payload, then bumps
  the sequence number; the reader spins on it. No system call is on the data path — the mechanism
  RDMA verbs give a NIC (post to a queue pair, poll a completion queue). A reader that has spun its
  budget (at most ``SPIN_POLLS`` polls, adaptive: see :class:`_Waiter`) without news *parks* on a
  semaphore, which the writer posts after every publish (a user-space atomic increment unless someone
  is parked): on a machine with more runnable processes than cores the partner may not be running,
  and spinning would only burn its time slice.
  When both sides are on a core the round trip never enters the kernel; the system-time and
  context-switch columns of the benchmark show how often the park path was taken.

Memory ordering: the payload is written before the sequence number by separate C calls, and x86-64
keeps stores in order (TSO), so a reader that sees the new sequence number sees the payload. On a
weakly ordered CPU this needs a release/acquire fence; :func:`check_platform` refuses to run there.
"""

from __future__ import annotations

import os
import platform
import resource
import socket
import struct
import time
from dataclasses import dataclass

from infraprep.errors import InfraprepError

__all__ = ["MARK", "SPIN_POLLS", "STOP", "Sample", "check_platform", "run_shm", "run_tcp"]

MARK, STOP = 0xFFFFFFFF, 0xFFFFFFFE
SPIN_POLLS = 2048  # ~0.1–0.2 ms of polling in CPython before parking
SPIN_FLOOR = 16  # when parking keeps paying, barely spin: a wait then costs a futex wake-up
PROBE_EVERY = 64
_HEADER = struct.Struct("<I")


def check_platform() -> None:
    """The shared-memory ring relies on x86-64's store ordering (see the module docstring)."""
    if platform.machine().lower() not in ("x86_64", "amd64"):
        raise InfraprepError(f"the shared-memory ring assumes x86-64 store ordering; this is {platform.machine()}")


def _usage() -> tuple[float, float, int]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime, r.ru_stime, r.ru_nvcsw + r.ru_nivcsw


@dataclass(frozen=True)
class Sample:
    """Round-trip times (ns) of the timed messages and the CPU both processes spent on them."""

    rtt_ns: tuple[int, ...]
    user_s: float  # client + server user CPU
    sys_s: float  # client + server system CPU
    switches: int  # client + server context switches

    @property
    def messages(self) -> int:
        return len(self.rtt_ns)


def _combine(rtt: list[int], client: tuple, server: tuple) -> Sample:
    (cu0, cs0, cc0), (cu1, cs1, cc1) = client
    (su0, ss0, sc0), (su1, ss1, sc1) = server
    return Sample(tuple(rtt), (cu1 - cu0) + (su1 - su0), (cs1 - cs0) + (ss1 - ss0), (cc1 - cc0) + (sc1 - sc0))


# --------------------------------------------------------------------------------------------- TCP


def _recv_exact(conn: socket.socket, view: memoryview, n: int) -> None:
    got = 0
    while got < n:
        k = conn.recv_into(view[got:n])
        if not k:
            raise ConnectionError("peer closed")
        got += k


def _tcp_server(listener: socket.socket, report) -> None:
    conn, _ = listener.accept()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    head, buf = bytearray(4), bytearray(1 << 20)
    hv, bv = memoryview(head), memoryview(buf)
    marks = []
    while True:
        _recv_exact(conn, hv, 4)
        (n,) = _HEADER.unpack(head)
        if n == STOP:
            report.send(marks)
            return
        if n == MARK:
            marks.append(_usage())
            conn.sendall(head)
            continue
        _recv_exact(conn, bv, n)
        sent = conn.sendmsg([head, bv[:n]])  # one system call for header and payload
        if sent < n + 4:
            conn.sendall(bytes(head + bv[:n])[sent:])


def run_tcp(size: int, warmup: int, count: int) -> Sample:
    """Echo ``count`` messages of ``size`` bytes over loopback TCP after ``warmup`` untimed ones."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    theirs, ours = ctx.Pipe()
    server = ctx.Process(target=_tcp_server, args=(listener, theirs), daemon=True)
    server.start()
    try:
        conn = socket.create_connection(listener.getsockname())
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        payload = os.urandom(size)
        message = _HEADER.pack(size) + payload
        back = bytearray(max(size, 4))
        bv = memoryview(back)
        rtt = []

        def control(code: int) -> None:
            conn.sendall(_HEADER.pack(code))
            if code == MARK:
                _recv_exact(conn, bv, 4)

        for i in range(warmup + count):
            if i == warmup:
                control(MARK)
                client_start = _usage()
            start = time.perf_counter_ns()
            conn.sendall(message)
            _recv_exact(conn, bv, 4)
            _recv_exact(conn, bv, size)
            if i >= warmup:
                rtt.append(time.perf_counter_ns() - start)
        client_end = _usage()
        if bytes(bv[:size]) != payload:
            raise InfraprepError("TCP echo returned different bytes")
        control(MARK)
        control(STOP)
        marks = ours.recv()
        conn.close()
        return _combine(rtt, (client_start, client_end), (marks[0], marks[1]))
    finally:
        listener.close()
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()


# -------------------------------------------------------------------------------------- shared memory
# Layout: words 0-3 = request seq, request length, reply seq, reply length (u64); payloads at 64 and
# 64 + capacity. One writer per slot, one reader.


class _Waiter:
    """Polls a word, parking on a semaphore when polling does not pay (adaptive, like an adaptive mutex).

    The spin budget halves after every wait that ended parked and doubles after every wait that polling
    alone satisfied, between 16 and ``SPIN_POLLS``: with the partner on another core the budget stays
    high and no wait enters the kernel; when cores are oversubscribed it shrinks, so a wait costs a
    futex wake-up instead of a wasted time slice.
    """

    def __init__(self, bell) -> None:
        self.bell, self.budget, self.parks = bell, SPIN_POLLS, 0

    def until(self, words, index: int, value: int, equal: bool) -> None:
        """Return once ``words[index] == value`` (``equal``) or ``!= value`` (not ``equal``). A post of
        the bell is only a hint — the word decides — so stale posts are harmless."""
        spins, parked = 0, False
        while (words[index] == value) != equal:
            spins += 1
            if spins >= self.budget:
                parked = True
                self.bell.acquire(timeout=0.001)
        if parked:
            self.parks += 1
            # Both ends park in step, and a parked partner answers too late for any short spin: every
            # PROBE_EVERY parked waits, spin the full budget once to see if polling pays again.
            self.budget = SPIN_POLLS if self.parks % PROBE_EVERY == 0 else max(SPIN_FLOOR, self.budget // 2)
        else:
            self.budget = min(SPIN_POLLS, self.budget * 2)


def _shm_server(name: str, capacity: int, report, bells) -> None:
    from multiprocessing import shared_memory

    mem = shared_memory.SharedMemory(name=name)
    try:
        words = mem.buf[:32].cast("Q")
        request, reply = mem.buf[64:64 + capacity], mem.buf[64 + capacity:64 + 2 * capacity]
        seen, marks, waiter = 0, [], _Waiter(bells[0])
        while True:
            waiter.until(words, 0, seen, equal=False)
            seen = words[0]
            n = words[1]
            if n == STOP:
                report.send(marks)
                break
            if n == MARK:
                marks.append(_usage())
            else:
                reply[:n] = request[:n]
            words[3] = n
            words[2] = seen  # publish the reply last
            bells[1].release()
        del words, request, reply
    finally:
        mem.close()


def _request(words, bell, waiter: _Waiter, seq: int, n: int) -> int:
    """Publish request ``seq + 1`` of length n (payload already in place), wait for its reply."""
    seq += 1
    words[1] = n
    words[0] = seq  # publish the request last
    bell.release()
    waiter.until(words, 2, seq, equal=True)
    return seq


def run_shm(size: int, warmup: int, count: int) -> Sample:
    """Echo ``count`` messages of ``size`` bytes through the shared-memory ring after ``warmup``."""
    import multiprocessing as mp
    from multiprocessing import shared_memory

    check_platform()
    capacity = max(size, 64)
    mem = shared_memory.SharedMemory(create=True, size=64 + 2 * capacity)
    ctx = mp.get_context("fork")
    theirs, ours = ctx.Pipe()
    bells = (ctx.Semaphore(0), ctx.Semaphore(0))  # request posted, reply posted
    server = ctx.Process(target=_shm_server, args=(mem.name, capacity, theirs, bells), daemon=True)
    words = mem.buf[:32].cast("Q")
    request, reply = mem.buf[64:64 + capacity], mem.buf[64 + capacity:64 + 2 * capacity]
    words[0] = words[2] = 0
    server.start()
    try:
        payload = os.urandom(size)
        back = bytearray(size)
        seq, rtt, waiter = 0, [], _Waiter(bells[1])


        for i in range(warmup + count):
            if i == warmup:
                seq = _request(words, bells[0], waiter, seq, MARK)
                client_start = _usage()
            start = time.perf_counter_ns()
            request[:size] = payload
            seq = _request(words, bells[0], waiter, seq, size)
            back[:] = reply[:size]
            if i >= warmup:
                rtt.append(time.perf_counter_ns() - start)
        client_end = _usage()
        seq = _request(words, bells[0], waiter, seq, MARK)
        seq += 1
        words[1] = STOP
        words[0] = seq
        bells[0].release()
        marks = ours.recv()
        if bytes(back) != payload:
            raise InfraprepError("shared-memory echo returned different bytes")
        return _combine(rtt, (client_start, client_end), (marks[0], marks[1]))
    finally:
        server.join(timeout=10)
        if server.is_alive():
            server.terminate()
        del words, request, reply
        mem.close()
        mem.unlink()
