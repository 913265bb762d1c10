"""``infraprep lab fusion``: the roofline instantly; the CPU measurement side by side."""

import pytest


def test_roofline_only_json(cli):
    result = cli("lab", "fusion", "--no-measure", "--gpu", "h200", "--json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["cpu"] is None and data["roofline"]["gpu"] == "h200"
    assert data["roofline"]["fused"]["bound"] == "memory"
    assert data["roofline"]["predicted_speedup"] == data["roofline"]["bytes_ratio"]


def test_measured_table(cli):
    result = cli("lab", "fusion", "--cpu-tokens", "64", "--cpu-hidden", "64", "--repeats", "1")
    assert result.code == 0, result.err
    assert "predicted speed-up" in result.out and "numba, 1 loop (fused)" in result.out


def test_launch_overhead_takes_a_duration(cli):
    result = cli("lab", "fusion", "--no-measure", "--launch-overhead", "5us", "--json")
    assert result.json()["roofline"]["conventions"]["launch_overhead_s"] == pytest.approx(5e-6)


def test_unknown_gpu_exits_2(cli):
    result = cli("lab", "fusion", "--no-measure", "--gpu", "h100")
    assert result.code == 2 and "h100-sxm" in result.err
