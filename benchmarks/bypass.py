"""Kernel bypass: TCP loopback vs a shared-memory ring, side by side, best p50 of several runs.

    python benchmarks/bypass.py [--sizes 64,1KiB,16KiB,256KiB,1MiB] [--messages 2000] [--runs 5]

Each run measures both transports at every size (labs/bypass/bench.py); per transport and size the
best p50 over the runs is kept (polling needs both ends on a core at the same moment, which a shared
machine only grants some of the time). Prints p50, p99, CPU per message (user/sys) and the ratio.
"""

from __future__ import annotations

import argparse
import os
import platform


def main() -> None:
    from infraprep.calc.units import parse_bytes
    from infraprep.labs.bypass import measure

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="64,1KiB,16KiB,256KiB,1MiB")
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    sizes = [int(parse_bytes(s)) for s in args.sizes.split(",")]
    best: dict = {}
    for _ in range(args.runs):
        for row in measure(sizes, args.messages).to_dict()["rows"]:
            key = (row["transport"], row["bytes"])
            if key not in best or row["rtt_p50_s"] < best[key]["rtt_p50_s"]:
                best[key] = row
    print(f"round trip, best p50 of {args.runs} runs (µs; CPU = client + server per message)")
    print(f"{'bytes':>8} | {'tcp p50':>8} {'p99':>9} {'user':>6} {'sys':>6} | {'shm p50':>8} {'p99':>9} "
          f"{'user':>6} {'sys':>6} | {'tcp/shm':>7}")
    for size in sizes:
        t, s = best[("tcp", size)], best[("shm", size)]
        print(f"{size:>8} | {t['rtt_p50_s'] * 1e6:>8.1f} {t['rtt_p99_s'] * 1e6:>9.1f} "
              f"{t['cpu_user_s_per_message'] * 1e6:>6.1f} {t['cpu_sys_s_per_message'] * 1e6:>6.1f} | "
              f"{s['rtt_p50_s'] * 1e6:>8.1f} {s['rtt_p99_s'] * 1e6:>9.1f} {s['cpu_user_s_per_message'] * 1e6:>6.1f} "
              f"{s['cpu_sys_s_per_message'] * 1e6:>6.1f} | {t['rtt_p50_s'] / s['rtt_p50_s']:>7.1f}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load average {load:.1f}")


if __name__ == "__main__":
    main()
