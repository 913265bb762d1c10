"""A PFC buffer-dependency cycle, drawn from the PFC simulator's graph for its crossed-failure case.

The case ``sim pfc`` reproduces, on a Clos small enough to draw (4 pods × 4 ToRs × 2 aggs, 2 cores):
in pod 0, tor0.0 loses its link to agg0.0 and tor0.1 its link to agg0.1 (``--failures crossed``).
The aggs still advertise the pod prefix (RFC 7938), so traffic for tor0.0 that reaches agg0.0 must
bounce down through another ToR and up to agg0.1, and traffic for tor0.1 the other way round. The two
bounces close a cycle of four ingress buffers, each waiting for the next to drain (Hu et al., HotNets
2016). Every link of the cycle, the failed links and the per-step deliveries under each mitigation
are read from :func:`infraprep.sim.pfc.analyze`; reproduce with ``infraprep sim pfc --pods 4
--tors 4 --aggs 2 --cores 2 --seed 0``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from infraprep.diagrams import diagram, figure, save

__all__ = ["SHAPE", "case"]

SHAPE = {"pods": 4, "tors": 4, "aggs": 2, "cores": 2}
RAD = 0.2  # curvature of the cycle's arrows
COLORS = {"pfc": "#C0392B", "lossy-bounce": "#4C78A8", "hop-index": "#54A24B", "watchdog": "#F58518"}


@lru_cache(maxsize=1)
def case():
    """The simulator's result for the drawn fabric (crossed failures, seed 0, the CLI's defaults)."""
    from infraprep.sim.pfc import PfcConfig, analyze

    return analyze(PfcConfig(**SHAPE, fail_links=2, failures="crossed", seed=0))


def _positions() -> dict[str, tuple[float, float]]:
    pos = {f"tor0.{i}": (1.2 * i, 0.0) for i in range(SHAPE["tors"])}
    span = 1.2 * (SHAPE["tors"] - 1)
    for j in range(SHAPE["aggs"]):  # aggs between the ToR columns, so up and down links do not overlap
        x = span * (2 * j + 1) / (2 * SHAPE["aggs"])
        pos[f"agg0.{j}"] = (x, 1.8)
        pos[f"core{j}"] = (x, 3.1)
    return pos


def _fabric(ax, result) -> None:
    pos = _positions()
    failed = {tuple(link.split("-")) for link in result.failed}
    for i in range(SHAPE["tors"]):
        for j in range(SHAPE["aggs"]):
            a, b = f"tor0.{i}", f"agg0.{j}"
            (x0, y0), (x1, y1) = pos[a], pos[b]
            if (a, b) in failed:
                ax.plot([x0, x1], [y0, y1], color="#999999", linestyle=(0, (2, 2)), linewidth=1.0, zorder=1)
                ax.text(x0 + 0.3 * (x1 - x0), y0 + 0.3 * (y1 - y0), "✕", color="#C0392B", ha="center", va="center",
                        fontsize=11, zorder=3)
            else:
                ax.plot([x0, x1], [y0, y1], color="#BBBBBB", linewidth=0.8, zorder=1)
    for j in range(SHAPE["aggs"]):  # agg j links to core j (cores / aggs = 1 per group); other pods elided
        (x0, y0), (x1, y1) = pos[f"agg0.{j}"], pos[f"core{j}"]
        ax.plot([x0, x1], [y0, y1], color="#BBBBBB", linewidth=0.8, zorder=1)
        ax.plot([x1, x1 + 0.5], [y1, y1 - 0.5], color="#DDDDDD", linewidth=0.8, linestyle=":", zorder=1)
    for name, (x, y) in pos.items():
        ax.text(x, y, name, ha="center", va="center", fontsize=8, zorder=4,
                bbox=dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor="#333333"))


def _cycle(ax, links: list[str]) -> None:
    pos = _positions()
    for k, link in enumerate(links):
        a, b = link.split("->")
        (x0, y0), (x1, y1) = pos[a], pos[b]
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color=COLORS["pfc"], linewidth=2.0, shrinkA=12, shrinkB=12,
                                    connectionstyle=f"arc3,rad={RAD}"))
        # the quadratic arc's midpoint: chord midpoint + rad/2 · (dy, −dx)
        mx, my = (x0 + x1) / 2 + RAD / 2 * (y1 - y0), (y0 + y1) / 2 - RAD / 2 * (x1 - x0)
        ax.text(mx, my, str(k + 1), fontsize=8, color="white",
                ha="center", va="center", zorder=5,
                bbox=dict(boxstyle="circle,pad=0.2", facecolor=COLORS["pfc"], edgecolor="none"))
    waits = "; ".join(f"{k + 1} waits for {(k + 1) % len(links) + 1}" for k in range(len(links)))
    ax.text(-0.5, -0.75, "cycle of ingress buffers (one per directed link):\n"
            + "\n".join(f"{k + 1}. {link.replace('->', ' → ')}" for k, link in enumerate(links))
            + f"\n{waits}", fontsize=7, va="top", color="#333333")


@diagram("pfc-cycle", 4, "Two crossed ToR-agg failures close a PFC buffer-dependency cycle; flows freeze under plain PFC")
def draw(path: Path) -> None:
    result = case()
    fig = figure(11, 4.8)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1.0]})
    left.set_xlim(-0.7, 4.3)
    left.set_ylim(-2.2, 3.6)
    left.axis("off")
    left.set_title(f"pod 0 after failing {', '.join(result.failed)}: the buffer-dependency cycle "
                   f"({result.bounces} bounce turns)", fontsize=9)
    _fabric(left, result)
    _cycle(left, result.cycles["pfc"])

    config = result.config
    for name, run in result.runs.items():
        total, curve = 0, []
        for delivered in run.delivered_per_step:
            total += delivered
            curve.append(total)
        cycle = "no cycle" if result.cycles[name] is None else "cycle"
        state = "frozen" if run.frozen else "flows"
        right.plot(range(1, len(curve) + 1), curve, color=COLORS[name], linewidth=1.5,
                   label=f"{name}: {cycle}, {state}; dropped {run.dropped}, stuck {run.stuck}")
    right.axvline(config.inject_steps, color="#888888", linestyle="--", linewidth=0.8)
    right.text(config.inject_steps + 5, 0, "sources stop", fontsize=7, color="#555555", va="bottom")
    right.set_xlabel("simulated step (one packet per link per step)")
    right.set_ylabel("packets delivered (cumulative)")
    right.set_title(f"{result.flows} flows on the cycle, buffer {config.buffer} packets, seed {config.seed}",
                    fontsize=9)
    right.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False, ncol=1)
    save(fig, path)
