"""Zero-copy side by side: moving 256 MiB between processes and within one, each vs memcpy bandwidth.

    .venv/bin/python benchmarks/zerocopy.py [--size-mib 256] [--reps 3]

Times are best of reps, from the request to a usable array; "with read" adds one checksum pass over
the data (a fresh mapping's page faults included). Acceptance (issue 6): shared memory >= 10x pickle
over a pipe at 256 MiB, with every throughput given as a ratio to the memcpy bandwidth measured in
the same run.
"""

from __future__ import annotations

import argparse
import os

from infraprep.calc.units import format_seconds
from infraprep.labs.machine import describe_machine
from infraprep.labs.zerocopy import IPC_ACCEPTANCE, ZeroCopyOptions, run_zerocopy, torch_available


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=256)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    print(describe_machine().line())
    before = os.getloadavg()[0]
    report = run_zerocopy(ZeroCopyOptions(args.size_mib * 2**20, args.reps, torch_available()))
    print(f"load average {before:.2f} before, {os.getloadavg()[0]:.2f} after; {args.size_mib} MiB, best of {args.reps}")
    memcpy = report.memcpy_bytes_per_s
    print(f"memcpy bandwidth {memcpy / 1e9:.2f} GB/s (bytes copied per second)")
    print(f"{'method':<30} {'scope':<18} {'to usable':>12} {'GB/s':>10} {'x memcpy':>10} {'with read':>11}  same memory")
    for t in report.transfers:
        with_read = format_seconds(t.seconds_with_read) if t.seconds_with_read else "—"
        print(f"{t.name:<30} {t.scope:<18} {format_seconds(t.seconds):>12} {t.bytes_per_s / 1e9:10.3g} "
              f"{t.ratio_to(memcpy):10.3g} {with_read:>11}  {'yes' if t.shares_memory else 'no'}")
    print(f"shared memory vs pickle over a pipe: {report.ipc_speedup:,.0f}x to a usable array, "
          f"{report.ipc_speedup_with_read:,.1f}x with one read pass (need >= {IPC_ACCEPTANCE:g}x)")


if __name__ == "__main__":
    main()
