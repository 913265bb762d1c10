"""NCCL's double binary tree on 16 ranks, drawn from the collectives lab's own tree construction.

:func:`infraprep.labs.collectives.tree.double_binary_tree` builds NCCL's in-order binary tree
(``ncclGetBtree``: rank 0 is the root with one child; a rank's parent and children follow from its
lowest set bit) and, for even p, its mirror image i → p − 1 − i (``ncclGetDtree``; Sanders, Speck &
Träff 2009, Parallel Computing 35(12), §3). Each tree carries half of the buffer. In the first tree
the odd ranks are the leaves, in the mirror the even ranks are: every rank is a leaf in one tree and
forwards (receives from children and sends to its parent) in at most one, so no rank's links carry
more than one tree's interior traffic — the fix for a single tree's idle leaves.
"""

from __future__ import annotations

from pathlib import Path

from infraprep.diagrams import diagram, figure, save

__all__ = ["RANKS", "roles"]

RANKS = 16
COLORS = ("#4C78A8", "#F58518")  # tree 1, tree 2


def trees(p: int = RANKS):
    from infraprep.labs.collectives.tree import double_binary_tree

    return double_binary_tree(p)


def roles(p: int = RANKS) -> list[tuple[str, str]]:
    """Per rank, its role in (tree 1, tree 2): "root", "interior" or "leaf"."""
    out = []
    for rank in range(p):
        pair = []
        for tree in trees(p):
            if tree.parent[rank] is None:
                pair.append("root")
            else:
                pair.append("interior" if tree.children[rank] else "leaf")
        out.append((pair[0], pair[1]))
    return out


def _draw_tree(ax, tree, p: int, color: str, title: str) -> None:
    height = tree.height
    ax.set_xlim(-0.8, p - 0.2)
    ax.set_ylim(height + 0.7, -0.7)
    ax.axis("off")
    ax.set_title(title, fontsize=9)
    for rank in range(p):
        up = tree.parent[rank]
        if up is not None:
            ax.plot([rank, up], [tree.depth(rank), tree.depth(up)], color=color, linewidth=1.4, zorder=1)
    for rank in range(p):
        leaf = not tree.children[rank]
        ax.text(rank, tree.depth(rank), str(rank), ha="center", va="center", fontsize=8, zorder=2,
                color=color if leaf else "white",
                bbox=dict(boxstyle="circle,pad=0.3", facecolor="white" if leaf else color, edgecolor=color))
    for depth in range(height + 1):
        ax.text(-0.7, depth, f"depth {depth}", ha="right", va="center", fontsize=7, color="#555555")


@diagram("double-binary-tree", 4, "NCCL's double binary tree on 16 ranks: each rank is a leaf in one of the two trees")
def draw(path: Path) -> None:
    first, second = trees(RANKS)
    fig = figure(10, 6.4)
    top, bottom = fig.subplots(2, 1)
    _draw_tree(top, first, RANKS, COLORS[0],
               f"tree 1: NCCL's in-order binary tree (root {first.parent.index(None)}, depth {first.height}); "
               "carries the first half of the buffer")
    _draw_tree(bottom, second, RANKS, COLORS[1],
               f"tree 2: its mirror i → {RANKS - 1} − i (root {second.parent.index(None)}, depth {second.height}); "
               "carries the second half")
    both_leaf = sum(r == ("leaf", "leaf") for r in roles(RANKS))
    forwarding = max(sum(role != "leaf" for role in pair) for pair in roles(RANKS))
    bottom.text(-0.8, second.height + 1.2,
                f"filled = forwards (has children), hollow = leaf. Ranks that forward in both trees: "
                f"{sum(all(role != 'leaf' for role in pair) for pair in roles(RANKS))}; leaf in both: {both_leaf}; "
                f"most trees any rank forwards in: {forwarding}. Rank positions = rank ids (in-order layout).",
                fontsize=7, color="#333333", va="top")
    save(fig, path)
