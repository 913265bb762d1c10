"""The attention lab in one call: what ``infraprep lab attention`` runs and prints.

1. forward: :func:`~.flash.flash_forward` (both loop orders) vs :func:`~.standard.attention_reference`
   over a sweep of seeded shapes, tile sizes and masks — the worst normalised error;
2. backward: :func:`~.backward.flash_backward` vs torch autograd through the materialised attention;
3. IO: for each SRAM size M, the HBM accesses the tiled forward actually made (counted) next to the
   closed forms of :mod:`.io` and the standard algorithm's;
4. Triton: the forward kernel (interpreter on a CPU) vs the reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from infraprep.errors import InvalidValue
from infraprep.labs.attention.flash import LOOP_ORDERS, Blocks, blocks_for_sram, flash_forward
from infraprep.labs.attention.io import IoRow, default_srams, io_table
from infraprep.labs.attention.standard import attention_reference
from infraprep.labs.steps import OnStep, Steps
from infraprep.labs.verdict import Verdict, compare

__all__ = ["AttentionLab", "STEPS", "run_lab"]

STEPS = ("forward sweep", "backward vs autograd", "HBM counts", "triton forward")

FORWARD_TOLERANCE = 1e-6  # the bound: equal to naive attention within 1e-6 relative
BACKWARD_TOLERANCE = 1e-6
TRITON_TOLERANCE = 1e-5  # float32 kernel vs float64 reference


@dataclass(frozen=True)
class AttentionLab:
    n: int
    d: int
    causal: bool
    forward: dict[str, Verdict]
    backward: Verdict | None
    io: list[IoRow]
    counted: dict[int, dict[str, int]]  # sram -> loop order -> accesses counted by the HBM model
    triton: Verdict | None
    shapes_checked: int
    skipped: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "n": self.n, "head_dim": self.d, "causal": self.causal,
            "forward": {k: v.to_dict() for k, v in self.forward.items()},
            "forward_shapes_checked": self.shapes_checked,
            "backward_vs_torch_autograd": self.backward.to_dict() if self.backward else None,
            "triton_forward": self.triton.to_dict() if self.triton else None,
            "hbm_accesses": [{**row.to_dict(), "counted_kv_outer": self.counted[row.sram]["kv_outer"],
                              "counted_q_outer": self.counted[row.sram]["q_outer"]} for row in self.io],
            "skipped": self.skipped,
            "conventions": {
                "hbm_accesses": "elements read + written in HBM (Dao et al. 2022 §3.2); bytes = elements × dtype size",
                "sram": "M in elements; B_c = ceil(M/4d), B_r = min(ceil(M/4d), d) (Algorithm 1 line 1)",
                "max_error": "max|out - expected| / max|expected|",
                "scale": "1/sqrt(d); causal = query i sees keys j <= i",
            },
        }


def forward_sweep(seed: int = 0, causal_too: bool = True) -> tuple[dict[str, Verdict], int]:
    """Worst forward error per loop order over a fixed sweep of seeded shapes and tile sizes."""
    import numpy as np

    rng = np.random.default_rng(seed)
    shapes = [(1, 1, 1, 1), (7, 7, 3, 2), (16, 16, 8, 8), (33, 33, 16, 16), (64, 40, 32, 24), (50, 77, 8, 4),
              (128, 128, 64, 64)]
    tiles = [Blocks(1, 1), Blocks(4, 16), Blocks(16, 4), Blocks(8, 8), Blocks(32, 64)]
    worst = {order: 0.0 for order in LOOP_ORDERS}
    checked = 0
    for n_q, n_k, d, d_v in shapes:
        q, k, v = rng.standard_normal((n_q, d)), rng.standard_normal((n_k, d)), rng.standard_normal((n_k, d_v))
        for causal in (False, True) if causal_too and n_q == n_k else (False,):
            expected = attention_reference(q, k, v, causal)
            for blocks in tiles if n_q <= 33 else tiles[1:]:  # 1×1 tiles only on small shapes (NumPy speed)
                for order in LOOP_ORDERS:
                    out = flash_forward(q, k, v, causal, blocks, loop_order=order)[0]
                    worst[order] = max(worst[order], compare(out, expected, FORWARD_TOLERANCE).max_error)
                    checked += 1
    return {o: Verdict(e <= FORWARD_TOLERANCE, e, FORWARD_TOLERANCE, f"forward {o}") for o, e in worst.items()}, checked


def backward_check(n: int, d: int, causal: bool, seed: int) -> Verdict:
    """Tiled backward vs torch autograd (float64) on one seeded problem: worst error over dQ, dK, dV."""
    import numpy as np
    import torch

    from infraprep.labs.attention.backward import flash_backward

    rng = np.random.default_rng(seed)
    q, k, v, d_o = (rng.standard_normal((n, d)) for _ in range(4))
    o, lse, _ = flash_forward(q, k, v, causal, Blocks(16, 32), loop_order="q_outer")
    grads = flash_backward(q, k, v, o, lse, d_o, causal, Blocks(32, 16))
    leaves = [torch.tensor(x, requires_grad=True) for x in (q, k, v)]
    s = leaves[0] @ leaves[1].T / d ** 0.5
    if causal:
        s = s.masked_fill(~torch.ones(n, n, dtype=torch.bool).tril(), float("-inf"))
    (torch.softmax(s, dim=1) @ leaves[2]).backward(torch.tensor(d_o))
    errors = [compare(g, t.grad.numpy(), BACKWARD_TOLERANCE).max_error for g, t in zip(grads, leaves, strict=True)]
    return Verdict(max(errors) <= BACKWARD_TOLERANCE, max(errors), BACKWARD_TOLERANCE, "backward vs torch autograd")


def triton_check(causal: bool, seed: int) -> Verdict:
    """The Triton forward (the process's mode: the interpreter on a CPU) on (1, 2, 128, 64) vs the float64
    reference, per head."""
    import numpy as np
    import torch

    from infraprep.labs.attention.triton_flash import flash_attention
    from infraprep.labs.triton_runtime import interpreting

    rng = np.random.default_rng(seed)
    q, k, v = (rng.standard_normal((1, 2, 128, 64)).astype(np.float32) for _ in range(3))
    out = flash_attention(*(torch.from_numpy(x) for x in (q, k, v)), causal=causal)[0].cpu().numpy()
    expected = np.stack([attention_reference(q[0, h], k[0, h], v[0, h], causal) for h in range(2)])[None]
    mode = "interpreter" if interpreting() else "gpu"
    return compare(out, expected, TRITON_TOLERANCE, f"triton forward ({mode})")


def run_lab(n: int = 256, d: int = 64, causal: bool = False, srams: list[int] | None = None, seed: int = 0,
            triton: bool = True, progress: OnStep | None = None) -> AttentionLab:
    """Run the four parts; ``srams`` defaults to :func:`~.io.default_srams`."""
    import numpy as np

    if n < 1 or n > 4096:
        raise InvalidValue("--n", n, "a sequence length from 1 to 4096 (the counted run is NumPy)")
    if d < 1 or d > 256:
        raise InvalidValue("--head-dim", d, "an integer from 1 to 256")
    srams = srams or default_srams(d)
    for sram in srams:
        blocks_for_sram(sram, d)  # validates M ≥ 4d
    step = Steps(len(STEPS), progress)
    step("forward sweep")
    forward, checked = forward_sweep(seed)
    step("backward vs autograd")
    backward = backward_check(64, 16, causal, seed)
    step("HBM counts")
    rng = np.random.default_rng(seed)
    q, k, v = (rng.standard_normal((n, d)) for _ in range(3))
    counted = {sram: {order: flash_forward(q, k, v, causal, sram=sram, loop_order=order)[2].total
                      for order in LOOP_ORDERS} for sram in srams}
    step("triton forward")
    skipped: dict[str, str] = {}
    verdict = None
    if triton:
        try:
            verdict = triton_check(causal, seed)
        except ImportError as exc:
            skipped["triton"] = str(exc)
    else:
        skipped["triton"] = "not requested"
    step.finish()
    return AttentionLab(n, d, causal, forward, backward, io_table(n, d, srams, causal), counted, verdict, checked,
                        skipped)
