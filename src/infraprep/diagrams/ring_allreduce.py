"""Ring all-reduce on 4 ranks, step by step: which chunk each rank holds, and how far it is reduced.

The collectives lab's ring (:mod:`infraprep.labs.collectives.ring`) runs its schedule inside the
point-to-point loop and does not expose it, so :func:`ring_schedule` states the same index rule
(Patarasuk & Yuan 2009, JPDC 69(2), §3; the lab's ``_flow``): the buffer is cut into p chunks; in
reduce-scatter step s (0-based) member i sends chunk (i − s) mod p to member i + 1, which adds it
into its own copy; after p − 1 steps member i holds chunk (i + 1) mod p fully reduced (what the
lab's ``ring_reduce_scatter`` returns). In all-gather step s member i sends its finished chunk
(i + 1 − s) mod p on, and the receiver overwrites its copy. ``tests/diagrams/test_ring_allreduce.py``
records the lab's own sends (its ``post`` replaced, no process group) and checks they are this
schedule, transfer for transfer.

:func:`replay` applies the schedule to symbolic buffers (each cell is the set of ranks whose
contribution it holds), which is what the picture shows and the test checks.
"""

from __future__ import annotations

from pathlib import Path

from infraprep.diagrams import diagram, figure, save

__all__ = ["RANKS", "replay", "ring_schedule"]

RANKS = 4


def ring_schedule(p: int) -> list[tuple[str, list[tuple[int, int, int]]]]:
    """The 2(p − 1) steps as (phase, [(sender, receiver, chunk), ...]); one send per member per step."""
    steps = []
    for phase, first in (("reduce-scatter", 0), ("all-gather", 1)):
        for s in range(p - 1):
            steps.append((phase, [(i, (i + 1) % p, (i + first - s) % p) for i in range(p)]))
    return steps


def replay(p: int) -> list[tuple[str, list[tuple[int, int, int]], list[list[frozenset]]]]:
    """Each step with the state after it: ``state[rank][chunk]`` = the ranks summed into that copy.

    The first entry is the initial state (phase "start", no transfers). Sends read the state before
    the step, as every member sends and receives at once.
    """
    state = [[frozenset({r}) for _ in range(p)] for r in range(p)]
    out = [("start", [], [row[:] for row in state])]
    for phase, transfers in ring_schedule(p):
        before = [row[:] for row in state]
        for src, dst, chunk in transfers:
            incoming = before[src][chunk]
            state[dst][chunk] = (state[dst][chunk] | incoming) if phase == "reduce-scatter" else incoming
        out.append((phase, transfers, [row[:] for row in state]))
    return out


def _label(cell: frozenset, p: int) -> str:
    return "Σ" if len(cell) == p else "+".join(str(r) for r in sorted(cell))


@diagram("ring-allreduce", 4, "Ring all-reduce on 4 ranks: reduce-scatter then all-gather, chunk by chunk")
def draw(path: Path) -> None:
    from matplotlib.patches import Rectangle

    p = RANKS
    frames = replay(p)
    fig = figure(11, 5.6)
    axes = fig.subplots(2, p).ravel()
    shades = ("#FFFFFF", "#DCE6F2", "#A9C1E0", "#6E94C8", "#2F5E9E")
    step_in_phase = {"reduce-scatter": 0, "all-gather": 0}
    for ax, (phase, transfers, state) in zip(axes[:-1], frames, strict=True):
        ax.set_xlim(-0.9, p + 0.1)
        ax.set_ylim(p + 0.2, -1.1)
        ax.axis("off")
        received = {(dst, chunk) for _, dst, chunk in transfers}
        for rank in range(p):
            ax.text(-0.15, rank + 0.5, f"r{rank}", ha="right", va="center", fontsize=8)
            for chunk in range(p):
                cell = state[rank][chunk]
                hot = (rank, chunk) in received
                ax.add_patch(Rectangle((chunk + 0.05, rank + 0.05), 0.9, 0.9, facecolor=shades[len(cell)],
                                       edgecolor="#C0392B" if hot else "#555555", linewidth=2.0 if hot else 0.6))
                ax.text(chunk + 0.5, rank + 0.5, _label(cell, p), ha="center", va="center",
                        fontsize=7 if len(cell) < 3 or len(cell) == p else 5.5,
                        color="white" if len(cell) >= 3 else "#222222")
        for chunk in range(p):
            ax.text(chunk + 0.5, -0.15, f"c{chunk}", ha="center", va="bottom", fontsize=7, color="#555555")
        if phase == "start":
            title, sub = "start: each rank's own buffer", "4 chunks per rank"
        else:
            step_in_phase[phase] += 1
            sends = ", ".join(f"{src}→{dst}:c{chunk}" for src, dst, chunk in transfers)
            title = f"{phase} step {step_in_phase[phase]}"
            sub = sends
        ax.set_title(f"{title}\n{sub}", fontsize=8)
    key = axes[-1]
    key.axis("off")
    sent = {r: sum(src == r for _, transfers in ring_schedule(p) for src, _, _ in transfers) for r in range(p)}
    lines = ["how to read it",
             f"rows: ranks r0–r{p - 1}; columns: chunks c0–c{p - 1} (S/p each)",
             "cell: ranks summed into that copy (Σ = all)",
             "red edge: received in this step",
             "",
             f"reduce-scatter: {p - 1} steps, rank i sends c(i − s)",
             f"all-gather: {p - 1} steps, rank i sends c(i + 1 − s)",
             f"chunks each rank sends: {sent[0]} = 2(p − 1)",
             f"bytes each rank sends: {sent[0]}/{p}·S = 2(p − 1)/p·S"]
    for k, line in enumerate(lines):
        key.text(0.0, 1.0 - 0.1 * k, line, transform=key.transAxes, fontsize=8 if k else 9,
                 fontweight="bold" if not k else "normal", va="top", color="#222222")
    save(fig, path)
