"""The gang-scheduling deadlock, drawn from the gang simulator's classic case (``sim gang``).

Two jobs of 6 one-GPU pods on 2 nodes × 4 GPUs (:func:`infraprep.sim.gang.classic_deadlock`). The
per-pod greedy scheduler binds 4 + 4 and both jobs wait forever for GPUs the other holds; the gang
scheduler (Volcano PodGroup ``minMember`` = 6) binds all of job A or nothing, and B runs after A.
Every placement, start and end in the picture is read from :func:`infraprep.sim.gang.simulate`.
"""

from __future__ import annotations

from pathlib import Path

from infraprep.diagrams import diagram, figure, save

COLORS = ("#4C78A8", "#F58518")  # job A, job B
FREE = "#FFFFFF"


def classic_run(name: str):
    """The simulator's result and the placements after its first scheduling pass."""
    from infraprep.sim.gang import classic_deadlock, make_scheduler, simulate

    shape, jobs = classic_deadlock()
    passes: list[dict[int, list[int]]] = []

    def observe(state, now: float) -> None:
        passes.append({job: [node for node, _ in pods] for job, pods in state.cluster.pods.items()})

    result = simulate(shape, jobs, make_scheduler(name), observer=observe)
    return shape, jobs, result, passes[0]


def _nodes(ax, shape, placement: dict[int, list[int]], x0: float) -> None:
    """Draw each node as a box of GPU slots coloured by the job holding them."""
    from matplotlib.patches import FancyBboxPatch, Rectangle

    for node in range(shape.nodes):
        y = 2.2 - 1.4 * node
        ax.add_patch(FancyBboxPatch((x0 - 0.15, y - 0.15), shape.gpus_per_node * 0.7 + 0.1, 0.9,
                                    boxstyle="round,pad=0.02", fill=False, linewidth=1.0))
        ax.text(x0 - 0.3, y + 0.3, f"node {node}", ha="right", va="center", fontsize=8)
        owners = [job for job in sorted(placement) for n in placement[job] if n == node]
        for slot in range(shape.gpus_per_node):
            job = owners[slot] if slot < len(owners) else None
            color = FREE if job is None else COLORS[job]
            ax.add_patch(Rectangle((x0 + 0.7 * slot, y), 0.6, 0.6, facecolor=color, edgecolor="#333333",
                                   linewidth=0.8))
            ax.text(x0 + 0.7 * slot + 0.3, y + 0.3, "free" if job is None else "AB"[job], ha="center",
                    va="center", fontsize=7, color="#333333" if job is None else "white")


@diagram("gang-deadlock", 6, "Per-pod scheduling deadlocks two 6-pod jobs on 8 GPUs; gang scheduling runs them in turn")
def draw(path: Path) -> None:
    fig = figure(9, 4.4)
    greedy_ax, gang_ax = fig.subplots(1, 2)
    shape, jobs, greedy, greedy_pass = classic_run("greedy")
    _, _, gang, gang_pass = classic_run("gang")

    for ax in (greedy_ax, gang_ax):
        ax.set_xlim(-1.6, 6.0)
        ax.set_ylim(-1.4, 3.3)
        ax.axis("off")

    held = {job.id: len(greedy_pass.get(job.id, [])) for job in jobs}
    greedy_ax.set_title(f"per-pod scheduler: {'deadlock' if greedy.deadlocked else 'no deadlock'}, "
                        f"{greedy.completed} of {greedy.total} jobs finish", fontsize=9)
    _nodes(greedy_ax, shape, greedy_pass, 0.0)
    for job in jobs:
        greedy_ax.text(0.0, 0.2 - 0.4 * job.id, f"job {'AB'[job.id]}: holds {held[job.id]} GPUs, needs {job.gang}",
                       color=COLORS[job.id], fontsize=8)
    # wait-for cycle: each job waits for GPUs the other holds
    for job, other, rad in ((0, 1, 0.5), (1, 0, 0.5)):
        need = jobs[job].gang - held[job]
        start, end = (4.9, 2.6 - 1.4 * job), (4.9, 2.6 - 1.4 * other)
        greedy_ax.annotate("", xy=end, xytext=start,
                           arrowprops=dict(arrowstyle="->", color=COLORS[job], connectionstyle=f"arc3,rad={rad}"))
        greedy_ax.text(4.2 if job == 0 else 5.65, 1.9, f"{'AB'[job]} waits for\n{need} GPUs\nheld by {'AB'[other]}",
                       fontsize=7, color=COLORS[job], ha="right" if job == 0 else "left", va="center")
    for job in jobs:
        greedy_ax.text(4.9, 2.6 - 1.4 * job.id, "AB"[job.id], ha="center", va="center", fontsize=9, color="white",
                       bbox=dict(boxstyle="circle", facecolor=COLORS[job.id], edgecolor="none"))

    gang_ax.set_title(f"gang scheduler (minMember = {jobs[0].gang}): "
                      f"{gang.completed} of {gang.total} jobs finish", fontsize=9)
    _nodes(gang_ax, shape, gang_pass, 0.0)
    waiting = [job for job in jobs if job.id not in gang_pass]
    for i, job in enumerate(waiting):
        gang_ax.text(0.0, 0.2 - 0.4 * i, f"job {'AB'[job.id]}: pending, holds 0 GPUs (all or nothing)",
                     color=COLORS[job.id], fontsize=8)
    # the gang run's timeline, from the simulator's start and end times
    gang_ax.text(0.0, -0.35, "simulated timeline:", fontsize=7, color="#333333")
    gang_ax.text(-0.3, 3.05, "placement after the first pass (t = 0)", fontsize=7, color="#333333")
    greedy_ax.text(-0.3, 3.05, "placement after the first pass (t = 0)", fontsize=7, color="#333333")
    span = max(gang.ends.values())
    for job in jobs:
        start, end = gang.starts[job.id], gang.ends[job.id]
        x0, width = 0.0 + 5.6 * start / span, 5.6 * (end - start) / span
        gang_ax.barh(-0.75, width, left=x0, height=0.35, color=COLORS[job.id])
        gang_ax.text(x0 + width / 2, -0.75, f"{'AB'[job.id]}: t = {start:g}–{end:g}", ha="center", va="center",
                     fontsize=7, color="white")
    save(fig, path)
