"""The block sizes and HBM counts printed on the FlashAttention tiling diagram."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.diagrams.flash_attention import EXAMPLE, flash_io


def counted(n: int, d: int, sram: int) -> tuple[int, int]:
    """Walk Algorithm 1 of Dao et al. 2022 block by block and count HBM element reads and writes
    (an independent count: loops, not the closed form)."""
    b_c = -(-sram // (4 * d))
    b_r = min(b_c, d)
    flash = 0
    for j in range(0, n, b_c):  # outer loop: K_j, V_j
        cols = min(b_c, n - j)
        flash += 2 * cols * d
        for i in range(0, n, b_r):  # inner loop: Q_i, O_i, l_i, m_i in; O_i, l_i, m_i out
            rows = min(b_r, n - i)
            flash += 2 * rows * d + 2 * rows + rows * d + 2 * rows
    standard = 2 * n * d + n * n + 2 * n * n + n * n + n * d + n * d  # Q,K; S; S,P; P; V; O
    return standard, flash


@pytest.mark.parametrize(("n", "d", "sram"), [(1024, 64, 65536), (4096, 128, 100_000), (EXAMPLE["n"], 64, 65536)])
def test_closed_forms_match_the_loop_count(n, d, sram):
    io = flash_io(n, d, sram)
    assert (io["standard"], io["flash"]) == counted(n, d, sram)


def test_example_on_the_diagram():
    # Algorithm 1 line 1: B_c = ceil(M / 4d) = 65536 / 256, B_r = min(B_c, d)
    io = flash_io(**EXAMPLE)
    assert (io["b_c"], io["b_r"], io["t_c"], io["t_r"]) == (256, 64, 64, 256)
    assert io["standard"] / io["flash"] == pytest.approx(5.19, abs=0.01)


@given(st.integers(7, 12), st.sampled_from([64, 128]), st.integers(15, 18))
def test_theorem_2_leading_term(log_n, d, log_m):
    # Dao et al. 2022, Theorem 2: Θ(N²d²/M). When 4d divides M and B_c divides N, T_c = 4Nd/M exactly,
    # so Algorithm 1 moves 12N²d²/M + 16N²d/M + 2Nd elements: the leading term and two smaller ones
    n, sram = 2 ** log_n * 64, 2 ** log_m
    io = flash_io(n, d, sram)
    lead = 12 * n * n * d * d // sram
    assert io["flash"] == lead + 16 * n * n * d // sram + 2 * n * d
    assert io["flash"] < lead * (1 + 2 / d) + 2 * n * d


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match="all must be positive"):
        flash_io(0, 64, 65536)
