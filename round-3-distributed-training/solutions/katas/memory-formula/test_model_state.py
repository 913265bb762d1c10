import pytest

from model_state import model_state_bytes

PSI = 7.5e9  # ZeRO paper, Figure 1: a 7.5B model on N_d = 64 GPUs, K = 12


@pytest.mark.parametrize(("stage", "total"), [(0, 120e9), (1, 31.40625e9), (2, 16.640625e9), (3, 1.875e9)])
def test_zero_paper_figure_1(stage, total):
    assert model_state_bytes(PSI, 64, stage)["total"] == pytest.approx(total)


def test_breakdown_stage_2():
    got = model_state_bytes(PSI, 64, 2)
    assert got["params"] == pytest.approx(2 * PSI)
    assert got["grads"] == pytest.approx(2 * PSI / 64)
    assert got["optimizer"] == pytest.approx(12 * PSI / 64)


def test_monotone_in_stage_and_dp():
    for dp in (1, 2, 8, 64, 1024):
        totals = [model_state_bytes(1e9, dp, s)["total"] for s in range(4)]
        assert totals == sorted(totals, reverse=True)
    assert model_state_bytes(1e9, 128, 3)["total"] < model_state_bytes(1e9, 64, 3)["total"]


def test_byte_sizes_are_parameters():
    assert model_state_bytes(1e9, 1, 0, param_bytes=4, grad_bytes=4, optimizer_bytes=8)["total"] == pytest.approx(16e9)


@pytest.mark.parametrize(("args"), [(1e9, 8, 4), (1e9, 0, 1), (-1, 8, 1)])
def test_bad_input_raises(args):
    with pytest.raises(ValueError):
        model_state_bytes(*args)
