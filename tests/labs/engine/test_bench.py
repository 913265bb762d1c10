"""Continuous vs static batching on the real engine, side by side, best of two each (tokens per CPU-second)."""

import pytest

pytest.importorskip("torch")

from infraprep.errors import InvalidValue  # noqa: E402
from infraprep.labs.engine.bench import mixed_workload, serve_bench  # noqa: E402


def test_workload_is_seeded_and_mixed():
    a, b = mixed_workload(40, seed=1), mixed_workload(40, seed=1)
    assert a == b and a != mixed_workload(40, seed=2)
    outs = sorted(r.max_new_tokens for r in a)
    assert outs[-1] >= 4 * outs[len(outs) // 2]  # a long tail: the case static batching handles badly


@pytest.mark.slow
def test_continuous_batching_is_at_least_1_5x_static():
    bench = serve_bench(requests=96, max_num_seqs=8, repeats=2, seed=0)
    assert bench.outputs_match  # same tokens, only the schedule differs
    cont, stat = bench.results["continuous"], bench.results["static"]
    assert cont["generated_tokens"] == stat["generated_tokens"]
    assert cont["iterations"] < stat["iterations"]
    assert bench.speedup >= 1.5, bench.to_dict()


def test_bad_sizes_are_errors():
    with pytest.raises(InvalidValue, match="--max-seqs=0"):
        serve_bench(requests=2, max_num_seqs=0)
