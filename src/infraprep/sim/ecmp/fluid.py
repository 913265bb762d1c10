"""Vectorised flow-level (fluid) network: max-min fair rates and completion times, many trials at once.

Every trial has the same links (capacity ``cap[k]`` bytes/s) and F subflows; subflow f of trial t
crosses the links ``paths[t, f, :]``. Rates are max-min fair, computed by progressive filling
(Bertsekas & Gallager, "Data Networks", 2nd ed., §6.5.2): raise every unfrozen subflow's rate equally
until a link saturates, freeze the subflows crossing it, repeat — at most one round per link.

Completion is event-driven: rates hold until the next subflow finishes (remaining/rate is smallest),
then they are recomputed. Each trial keeps its own clock, so all trials advance together as arrays.
Finished subflows may be *renewed* (a flowlet ending and the next one starting on a new path) by a
callback, which is how flowlet switching and adaptive re-routing plug in.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["max_min_rates", "run_fluid"]

_EPS = 1e-9


def max_min_rates(paths, active, cap):
    """Max-min fair rate of every active subflow (inactive ones get 0).

    Args:
        paths: int array (T, F, P) of link indices in 0..K−1.
        active: bool array (T, F).
        cap: float array (K,), link capacities.

    Returns:
        float array (T, F).

    Trials whose subflows are all frozen drop out of the working set, so the cost follows the trials
    that still have levels to fill rather than the slowest one.
    """
    import numpy as np

    trials, flows, _ = paths.shape
    links = cap.shape[0]
    rate = np.zeros((trials, flows))
    rows = np.nonzero(active.any(axis=1))[0]
    left = np.tile(cap, (rows.size, 1)).astype(float)
    live = active[rows].copy()
    for _ in range(links + 1):
        if rows.size == 0:
            break
        flat = paths[rows] + (np.arange(rows.size) * links)[:, None, None]
        weight = np.repeat(live[:, :, None], flat.shape[2], axis=2).ravel()
        count = np.bincount(flat.ravel(), weights=weight, minlength=rows.size * links).reshape(rows.size, links)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(count > 0, left / count, np.inf)
        step = share.min(axis=1)
        rate[rows] += np.where(live, step[:, None], 0.0)
        left -= step[:, None] * count
        saturated = ((left <= _EPS * cap) & (count > 0)).ravel()
        hit = saturated[flat[..., 0]]
        for k in range(1, flat.shape[2]):
            hit |= saturated[flat[..., k]]
        live &= ~hit
        keep = live.any(axis=1)
        rows, left, live = rows[keep], left[keep], live[keep]
    return rate


def run_fluid(paths, sizes, cap, renew: Callable | None = None):
    """Run every trial to completion; return (finish time per subflow, rates at t = 0).

    ``renew(done, clock, paths, remaining)`` is called with the mask of subflows that just finished;
    it may give some of them new bytes (and a new path) in place and returns the mask of those that
    are really finished. Finish times are those of a subflow's last bytes.
    """
    import numpy as np

    remaining = sizes.astype(float).copy()
    finish = np.zeros_like(remaining)
    clock = np.zeros(remaining.shape[0])
    initial = None
    while True:
        active = remaining > 0
        if not active.any():
            break
        rate = max_min_rates(paths, active, cap)
        if initial is None:
            initial = rate.copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            until = np.where(active & (rate > 0), remaining / rate, np.inf)
        step = until.min(axis=1)
        step[~np.isfinite(step)] = 0.0
        remaining = remaining - rate * step[:, None]
        clock = clock + step
        done = active & (remaining <= _EPS * np.maximum(sizes, 1.0))
        remaining[done] = 0.0
        if renew is not None:
            done = renew(done, clock, paths, remaining)
        finish[done] = np.broadcast_to(clock[:, None], finish.shape)[done]
    return finish, (initial if initial is not None else np.zeros_like(remaining))
