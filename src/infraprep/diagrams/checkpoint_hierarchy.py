"""The checkpoint hierarchy of the multi-level checkpointing lab (``lab checkpoint``).

Levels, frequencies, retention and bandwidth come from the lab's default
:class:`~infraprep.labs.checkpoint.levels.CheckpointConfig`; which checkpoints are still held when
the job crashes comes from committing one (empty) checkpoint per due step into the lab's own
:class:`~infraprep.labs.checkpoint.store.LevelStore` (its retention deletes the old ones) and a ring
buffer of ``keep`` snapshots for level 0; the restore order is ``restore_latest``'s: newest step
first, the faster level first on a tie.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from infraprep.diagrams import diagram, figure, save

CRASH_STEP = 127  # one step after level 0's ring, past two level-2 saves and three level-1 saves
LEVEL_COLORS = ("#54A24B", "#4C78A8", "#B279A2")


def held_at(step: int) -> dict[int, list[int]]:
    """Steps each level still holds after ``step`` steps with the lab's default configuration."""
    from infraprep.labs.checkpoint import CheckpointConfig, LevelStore

    config = CheckpointConfig()
    levels = {0: config.memory, 1: config.local, 2: config.remote}
    held: dict[int, list[int]] = {0: []}
    with tempfile.TemporaryDirectory() as tmp:
        stores = {lvl: LevelStore(Path(tmp) / str(lvl), lvl, levels[lvl].keep) for lvl in (1, 2)}
        for k in range(1, step + 1):
            if k % levels[0].every == 0:
                held[0] = (held[0] + [k])[-levels[0].keep:]
            for lvl, store in stores.items():
                if k % levels[lvl].every == 0:
                    store.commit(k, b"")
        for lvl, store in stores.items():
            held[lvl] = sorted(c.step for c in store.committed())
    return held


def restore_order(held: dict[int, list[int]], levels: tuple[int, ...]) -> list[tuple[int, int]]:
    """(level, step) candidates in ``restore_latest``'s order: newest step first, faster level on a tie."""
    return sorted(((lvl, s) for lvl in levels for s in held[lvl]), key=lambda c: (-c[1], c[0]))


def _label(level: int, cfg) -> str:
    where = ("CPU memory (lost with the process)", "local disk", "remote storage")[level]
    extra = ""
    if cfg.bandwidth:
        extra += f", {cfg.bandwidth / 1e6:g} MB/s"
    if level:
        extra += ", skip if busy" if cfg.when_busy == "skip" else ", wait if busy"
    return f"level {level}: {where}\nevery {cfg.every} step{'s' if cfg.every > 1 else ''}, keep {cfg.keep}{extra}"


@diagram("checkpoint-hierarchy", 6,
         "Levels 0/1/2 of the checkpoint lab: frequency, retention, what a crash leaves, restore order")
def draw(path: Path) -> None:
    from infraprep.labs.checkpoint import CheckpointConfig

    config = CheckpointConfig()
    cfgs = (config.memory, config.local, config.remote)
    held = held_at(CRASH_STEP)
    fig = figure(9, 4.8)
    ax = fig.subplots()
    for level, cfg in enumerate(cfgs):
        y = 2 - level
        saved = [k for k in range(1, CRASH_STEP + 1) if k % cfg.every == 0]
        gone = [k for k in saved if k not in held[level]]
        ax.plot(gone, [y] * len(gone), "|" if level == 0 else "o", color="#BBBBBB", markersize=6 if level else 8,
                markerfacecolor="none")
        ax.plot(held[level], [y] * len(held[level]), "o", color=LEVEL_COLORS[level], markersize=7)
        spaced = cfg.every >= 5  # level 0's ring buffer holds adjacent steps: one label for all of them
        for k in held[level] if spaced else held[level][-1:]:
            text = str(k) if spaced else ", ".join(map(str, held[level]))
            ax.annotate(text, (k, y), textcoords="offset points", xytext=(0 if spaced else -8, 7),
                        ha="center" if spaced else "right", fontsize=7, color=LEVEL_COLORS[level])
        ax.text(-4, y, _label(level, cfg), ha="right", va="center", fontsize=7.5, color=LEVEL_COLORS[level])
    ax.axvline(CRASH_STEP + 1.5, color="#D62728", linewidth=1)
    ax.text(CRASH_STEP + 2.5, 2.45, f"crash after\nstep {CRASH_STEP}", color="#D62728", fontsize=7.5, va="top")
    ax.text(1, 2.55, "grey: saved, then dropped by retention; coloured: still held at the crash", fontsize=7,
            color="#555555")

    def chain(candidates: list[tuple[int, int]]) -> str:
        return " → ".join(f"L{lvl}@{s}" for lvl, s in candidates)

    scenarios = (
        ("soft fault, process alive", (0, 1, 2)),
        ("process or node crash, local disk intact", (1, 2)),
        ("node lost with its disk", (2,)),
    )
    ax.text(-4, -0.75, "restore order (each candidate verified: size + SHA-256 + step; a failure falls through):",
            fontsize=7.5)
    for i, (what, levels) in enumerate(scenarios):
        ax.text(-2, -1.15 - 0.35 * i, f"{what}:  {chain(restore_order(held, levels))}", fontsize=7.5)
    ax.set_xlim(-4, CRASH_STEP + 14)
    ax.set_ylim(-2.0, 2.7)
    ax.set_yticks([])
    ax.set_xlabel("training step", fontsize=8)
    ax.spines[["left", "right", "top"]].set_visible(False)
    ax.set_title("Multi-level checkpointing (lab defaults): frequency and retention per level, restore order",
                 fontsize=9)
    save(fig, path)
