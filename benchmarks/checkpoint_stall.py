"""Round 6: training-loop stall of synchronous vs asynchronous checkpoint saves, side by side.

    .venv/bin/python benchmarks/checkpoint_stall.py [--repeats 3]

For each state size the same job trains with sync saves (serialize + write + fsync + rename in the
loop) and async saves (snapshot into CPU memory; a background thread persists), alternating, and the
best mean stall per save of each mode is kept. Prints the ratio async ÷ sync (this machine is shared
and noisy: only ratios are recorded).
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile

from infraprep.labs.checkpoint.model import ModelConfig
from infraprep.labs.checkpoint.stall import measure_stalls

SIZES = ((256, 2), (512, 4), (1024, 4))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.python_version()}, "
          f"tmp on {tempfile.gettempdir()}")
    print(f"{'width×depth':>12} {'state':>10} {'sync stall':>11} {'async stall':>12} {'async/sync':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for width, depth in SIZES:
            r = measure_stalls(tmp, ModelConfig(width=width, depth=depth, batch=64), repeats=args.repeats)
            print(f"{width:>7}×{depth:<4} {r['state_bytes'] / 2**20:>7.2f} MiB {r['sync_stall_s'] * 1e3:>8.2f} ms "
                  f"{r['async_stall_s'] * 1e3:>9.2f} ms {r['async_to_sync_ratio']:>11.3f}")


if __name__ == "__main__":
    main()
