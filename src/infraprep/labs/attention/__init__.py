"""FlashAttention made executable: NumPy forward and backward, an HBM-traffic model, a Triton kernel.

* :mod:`.standard` — the materialising reference (and Algorithm 0 with its HBM traffic);
* :mod:`.flash` — tiled forward with online softmax and causal mask, two loop orders;
* :mod:`.backward` — tiled backward that recomputes P from the saved log-sum-exp;
* :mod:`.hbm`, :mod:`.io` — HBM access counting and the closed forms of Dao et al. 2022 Theorem 2;
* :mod:`.triton_flash` — the forward as a Triton kernel (interpreter on a CPU).
"""

from infraprep.labs.attention.backward import flash_backward
from infraprep.labs.attention.flash import Blocks, blocks_for_sram, flash_forward
from infraprep.labs.attention.io import flash_accesses, io_table, standard_accesses
from infraprep.labs.attention.lab import AttentionLab, run_lab
from infraprep.labs.attention.standard import attention_reference, standard_attention

__all__ = ["AttentionLab", "Blocks", "attention_reference", "blocks_for_sram", "flash_accesses", "flash_backward",
           "flash_forward", "io_table", "run_lab", "standard_accesses", "standard_attention"]
