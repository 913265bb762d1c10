"""Reliability calculators against published figures (Llama 3 Table 5, Young 1974, Daly 2006).

Each test names its source. Where a source is internally inconsistent, the test asserts the formula
and a comment documents the erratum.
"""

import math

import pytest

from infraprep.calc.checkpoint import daly_interval, young_interval
from infraprep.calc.mtbf import LLAMA3_TABLE5, MtbfInputs, job_mtbf

MIN = 60.0


def test_llama3_419_unexpected_of_466_interruptions():
    # Llama 3 Herd of Models §3.3.4: "466 job interruptions … 47 were planned … 419 were unexpected";
    # Table 5 itemises the 419.
    assert 466 - 47 == 419
    assert sum(c.count for c in LLAMA3_TABLE5) == 419
    assert len(LLAMA3_TABLE5) == 18


def test_llama3_job_mtbf_and_per_gpu_rate():
    # §3.3.4: 419 unexpected interruptions in a 54-day snapshot on 16,384 H100 GPUs
    # → one job interruption every 1296/419 = 3.09 h (≈ "every three hours"), 7.76 a day;
    # per GPU: 419 / (16,384 · 1296 GPU-h) = 1.97e-5 /h, i.e. a GPU-slot MTBF of ≈ 50,700 h (5.8 years).
    r = job_mtbf(MtbfInputs(gpus=16384, failures=419, window_hours=54 * 24))
    assert r.mtbf_hours == pytest.approx(3.09, abs=0.005)
    assert r.to_dict()["interruptions_per_day"] == pytest.approx(7.76, abs=0.005)
    assert r.per_gpu_rate_per_hour == pytest.approx(1.973e-5, rel=1e-3)
    assert 1 / r.per_gpu_rate_per_hour == pytest.approx(50_677, rel=1e-4)


@pytest.mark.parametrize("cause", [c for c in LLAMA3_TABLE5 if c.component != "Faulty GPU"],
                         ids=lambda c: c.component)
def test_llama3_table5_percentages(cause):
    # Table 5, "% of Interruptions": each printed to 0.1% as count / 419.
    assert round(100 * cause.count / 419, 1) == cause.published_percent


def test_llama3_table5_faulty_gpu_erratum():
    # Table 5 prints "Faulty GPU | 148 | 30.1%". The counts sum to 419 (matching the text), so the
    # percentage is the erratum: 148/419 = 35.3%, and the printed percentages sum to 94.9%, not 100%.
    faulty = LLAMA3_TABLE5[0]
    assert faulty.count == 148 and faulty.published_percent == 30.1
    assert round(100 * faulty.count / 419, 1) == 35.3
    assert sum(c.published_percent for c in LLAMA3_TABLE5) == pytest.approx(94.9)
    assert 100 - 94.9 == pytest.approx(35.3 - 30.1, abs=0.15)


def test_llama3_gpu_issues_share():
    # §3.3.4: "GPU issues are the largest category, accounting for 58.7% of all unexpected issues."
    # That is the sum of the printed GPU-category percentages (which carry the 30.1% erratum above);
    # from the counts the GPU share is 268/419 = 64.0%.
    gpu = [c for c in LLAMA3_TABLE5 if c.category == "GPU"]
    assert sum(c.published_percent for c in gpu) == pytest.approx(58.7)
    assert sum(c.count for c in gpu) == 268
    assert round(100 * 268 / 419, 1) == 64.0


@pytest.mark.parametrize("mtbf_min, published_min", [(24 * 60, 117), (6 * 60, 57), (15, 9.1)],
                         ids=["fig3-M24h", "fig4-M6h", "fig5-M15min"])
def test_daly_2006_figures_3_to_5(mtbf_min, published_min):
    # Daly 2006 (FGCS 22(3)), Figs. 3–5: δ = 5 min, R = 10 min, T_s = 500 h; "the new model predicts
    # τ_opt = 117 min / 57 min / 9.1 min" for M = 24 h / 6 h / 15 min.
    tau = daly_interval(5 * MIN, mtbf_min * MIN) / MIN
    digits = 1 if published_min < 10 else 0
    assert round(tau, digits) == published_min


def test_young_1974_first_order_interval():
    # Young 1974 (CACM 17(9)): T_opt ≈ √(2·T_s·T_f) (T_s save time, T_f mean time to failure).
    # On Daly's Fig. 3 inputs (δ = 5 min, M = 24 h) that is √(2·5·1440) = √14400 = 120 min, above
    # Daly's 117 min by the −δ and the higher-order terms of Daly's series.
    assert young_interval(5 * MIN, 24 * 60 * MIN) / MIN == pytest.approx(120.0)
    x = 5 / (2 * 24 * 60)
    assert daly_interval(5 * MIN, 24 * 60 * MIN) / MIN == pytest.approx(120 * (1 + math.sqrt(x) / 3 + x / 9) - 5)
