"""Predicted next to measured, per pipeline stage: traffic, memory, bubble, micro-batches in flight.

Predicted = the calculators on the trainer's configuration (:mod:`infraprep.labs.trainer.predict`):
``calc comm`` (elements and ring bytes sent), ``calc train-memory``, ``calc bubble``.

Every rank of a stage does the same work, so a stage's measured value is one number when its ranks
agree and ``[min, max]`` when they do not (they always agree on traffic and memory; idle time is
measured per rank and averaged).
"""

from __future__ import annotations

from infraprep.labs.trainer import predict
from infraprep.labs.trainer.meter import KINDS
from infraprep.labs.trainer.result import TrainResult

__all__ = ["comparison"]


def _stage_values(values: list[float]) -> float | list[float]:
    lo, hi = min(values), max(values)
    return lo if lo == hi else [lo, hi]


def comparison(result: TrainResult) -> dict:
    """``{"comm": [...], "memory": [...], "pipeline": [...]}``: rows with ``predicted`` and ``measured``."""
    c = result.config
    by_stage: dict[int, list[dict]] = {}
    for r in result.ranks:
        by_stage.setdefault(r["coords"][2], []).append(r)
    comm, memory, pipeline = [], [], []
    idle = result.stage_idle()
    peaks = result.peak_in_flight()
    order = {k: i for i, k in enumerate(KINDS)}
    for stage in range(c.pp):
        ranks = by_stage[stage]
        predicted = predict.traffic(c, stage)
        measured_keys = {(row["kind"], row["group"]) for r in ranks for row in r["comm_per_step"]}
        for kind, group in sorted(set(predicted) | measured_keys, key=lambda k: (order.get(k[0], len(order)), k[1])):
            rows = [next((x for x in r["comm_per_step"] if (x["kind"], x["group"]) == (kind, group)), None) for r in ranks]
            comm.append({
                "stage": stage, "kind": kind, "group": group,
                "predicted_elements": predicted.get((kind, group), (0, 0.0))[0],
                "measured_elements": _stage_values([x["elements"] if x else 0 for x in rows]),
                "calls": _stage_values([x["calls"] if x else 0 for x in rows]),
                "measured_bytes": _stage_values([x["bytes"] if x else 0 for x in rows]),
                "ring_bytes_sent": _stage_values([x["ring_bytes_sent"] if x else 0 for x in rows]),
                "predicted_bytes_sent": predicted.get((kind, group), (0, 0.0))[1],
            })
        want = predict.memory(c, stage)
        memory.append({"stage": stage, **{f"predicted_{k}": v for k, v in want.items()},
                       **{f"measured_{k}": _stage_values([r["memory"][k] for r in ranks]) for k in want}})
        pipeline.append({"stage": stage, "predicted_idle_fraction": predict.bubble_fraction(c),
                         "measured_idle_fraction": idle[stage],
                         "predicted_in_flight": predict.in_flight(c, stage), "measured_in_flight": peaks[stage]})
    return {"comm": comm, "memory": memory, "pipeline": pipeline}
