"""HBM traffic: the counted accesses equal the closed forms, and they scale as Theorem 2 says."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.labs.attention.flash import Blocks, blocks_for_sram, flash_forward
from infraprep.labs.attention.io import (
    default_srams,
    flash_accesses,
    io_table,
    standard_accesses,
    theorem2_flash,
)
from infraprep.labs.attention.standard import standard_attention


@settings(max_examples=120, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(1, 8), st.integers(1, 8), st.integers(1, 12),
       st.integers(1, 12), st.booleans(), st.sampled_from(["kv_outer", "q_outer"]))
def test_counted_equals_closed_form(n_q, n_k, d, d_v, rows, cols, causal, order):
    n_k = n_q if causal else n_k
    rng = np.random.default_rng(0)
    q, k, v = rng.standard_normal((n_q, d)), rng.standard_normal((n_k, d)), rng.standard_normal((n_k, d_v))
    hbm = flash_forward(q, k, v, causal, Blocks(rows, cols), loop_order=order)[2]
    assert hbm.total == flash_accesses(n_q, n_k, d, Blocks(rows, cols), d_v, causal, order)


def test_standard_closed_form_equals_algorithm_0_count():
    q = np.random.default_rng(2).standard_normal((20, 6))
    assert standard_attention(q, q, q)[1].total == standard_accesses(20, 20, 6) == 4 * 20 * 6 + 4 * 400


def test_paper_scale_numbers_by_hand():
    # N = 1024, d = 64, M = 50,000 elements (~100 KB of fp16 SRAM, Dao et al. 2022 §3.2):
    # standard 4Nd + 4N² = 262,144 + 4,194,304; flash B_c = 196, B_r = 64, T_c = ceil(1024/196) = 6,
    # accesses 2Nd + (Nd + 2N) + T_c(3Nd + 4N) = 131,072 + 67,584 + 6·200,704
    n, d, m = 1024, 64, 50_000
    assert standard_accesses(n, n, d) == 4_456_448
    assert flash_accesses(n, n, d, blocks_for_sram(m, d)) == 131_072 + 67_584 + 6 * 200_704 == 1_402_880


def test_flash_accesses_follow_n2d2_over_m():
    # Theorem 2: Θ(N²d²/M). With B_c = M/4d the exact count is ≈ 12·N²d²/M while T_c ≫ 1.
    n, d = 4096, 64
    for sram in (1024, 4096, 16384):
        ratio = flash_accesses(n, n, d, blocks_for_sram(sram, d)) / theorem2_flash(n, d, sram)
        assert 11.5 < ratio < 13.5


def test_more_sram_never_costs_more_traffic_and_causal_costs_less():
    rows = io_table(512, 64, default_srams(64))
    flash = [r.flash for r in rows]
    assert flash == sorted(flash, reverse=True)
    causal = io_table(512, 64, default_srams(64), causal=True)
    assert all(c.flash < f.flash for c, f in zip(causal, rows, strict=True))


def test_flash_beats_standard_once_sram_holds_many_rows_and_loses_with_a_tiny_one():
    tiny = io_table(1024, 64, [16 * 64])[0]
    assert tiny.flash > tiny.standard
    row = io_table(1024, 64, [50_000])[0]
    assert row.standard / row.flash == pytest.approx(4_456_448 / 1_402_880)
    assert row.standard > 3 * row.flash
