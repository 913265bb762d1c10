"""The latency–throughput diagram: its numbers are what the printed `sim serve` commands give."""

import pytest

from infraprep.diagrams.serving_curves import COMMANDS, POLICIES, RATES, curves

RATES_CHECKED = (20, 60)


@pytest.fixture(scope="module")
def points():
    return curves(RATES_CHECKED)


@pytest.mark.parametrize("label", list(POLICIES))
def test_points_match_the_cli_command(cli, points, label):
    command = COMMANDS[label].split()
    assert command[:3] == ["infraprep", "sim", "serve"] and command[-2] == "--sweep"
    assert command[-1] == ",".join(map(str, RATES))
    result = cli(*command[1:-1], ",".join(map(str, RATES_CHECKED)), "--json")
    assert result.code == 0, result.err
    for point, run in zip(points[label], result.json()["sweep"], strict=True):
        assert run["rate"] == point["rate"]
        assert run["throughput_tokens_per_s"] == pytest.approx(point["throughput"], rel=1e-12)
        assert run["ttft_s"]["p99"] == pytest.approx(point["ttft_p99"], rel=1e-12)
        assert run["itl_s"]["p99"] == pytest.approx(point["itl_p99"], rel=1e-12)


def test_chunking_bounds_the_itl_tail_and_load_raises_latency(points):
    chunked, unchunked = (points[label] for label in POLICIES)
    for c, u in zip(chunked, unchunked, strict=True):
        assert c["itl_p99"] < u["itl_p99"]  # Sarathi-Serve §4: chunks cap the iteration
    for curve in (chunked, unchunked):
        assert curve[1]["throughput"] > curve[0]["throughput"]
        assert curve[1]["ttft_p99"] > curve[0]["ttft_p99"]
