"""Pipeline schedules side by side: simulated bubble fraction of each schedule and its ratio to 1F1B.

    .venv/bin/python benchmarks/pipeline_schedules.py [--f 1 --b 2 --w 1 --fb 3]

Every number is measured on the timeline sim/schedule builds from the schedule's dependencies (no
wall-clock time is involved, so the table is the same on any machine). Fractions use the "ideal"
denominator m·(F+B) per stage a device runs; "=" marks where the closed form of calc/bubble.py equals
the simulated bubble, "≠" where it is outside its exact domain (docs/pipeline-schedules.md).
"""

from __future__ import annotations

import argparse
import platform

from infraprep.calc.bubble import PipelineConfig, StageTimes, bubble
from infraprep.sim.schedule import simulate

SCHEDULES = ("gpipe", "1f1b", "interleaved", "zb1p", "dualpipe", "dualpipev")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--f", type=float, default=1.0)
    parser.add_argument("--b", type=float, default=2.0)
    parser.add_argument("--w", type=float, default=None)
    parser.add_argument("--fb", type=float, default=None)
    args = parser.parse_args()
    times = StageTimes(args.f, args.b, args.w, args.fb)
    print(f"F={times.f:g} B={times.b:g} W={times.w:g} F&B={times.fb_time:g}; python {platform.python_version()}")
    print(f"{'pp':>3} {'m':>4}  " + "  ".join(f"{s:>16}" for s in SCHEDULES))
    for pp in (4, 8, 16):
        for m in (2 * pp, 4 * pp, 8 * pp):
            base = None
            cells = []
            for schedule in SCHEDULES:
                config = PipelineConfig(schedule, pp, m, 2 if schedule == "interleaved" else 1, times)
                timeline = simulate(config)
                fraction = config.fraction(timeline.bubble_time)
                if schedule == "1f1b":
                    base = fraction
                same = "=" if abs(timeline.bubble_time - bubble(config).bubble_time) < 1e-9 else "≠"
                cells.append((fraction, same))
            row = "  ".join(f"{f:6.1%} ({f / base:4.2f}×){s}" for f, s in cells)
            print(f"{pp:>3} {m:>4}  {row}")


if __name__ == "__main__":
    main()
