"""The event loop: exact timing of a lone request, conservation, determinism, and speed."""

import time

import pytest

from infraprep.calc.hardware import get_accelerator
from infraprep.calc.model import get_model
from infraprep.errors import InvalidValue
from infraprep.sim.inference import ReplicaConfig, SimConfig, WorkloadConfig, simulate
from infraprep.sim.inference.cost import CostModel


def test_a_lone_request_takes_exactly_prefill_plus_decodes():
    """One request, P = 100, N = 10: TTFT is one prefill iteration; then 9 decode iterations, the
    k-th attending over 100 + k tokens. The simulator must add exactly these cost-model times."""
    config = SimConfig(workload=WorkloadConfig(requests=1, lengths="fixed", prompt_len=100, output_len=10))
    result = simulate(config)
    cost = CostModel(get_model("llama3-8b"), get_accelerator("h100-sxm"))
    prefill = cost.iteration_time(100, 100 * 101 // 2, 100, 1)
    decodes = [cost.iteration_time(1, 100 + k, 100 + k, 1) for k in range(1, 10)]
    s = result.summary
    assert s.ttft["p50"] == pytest.approx(prefill, rel=1e-12)
    assert s.e2e["p50"] == pytest.approx(prefill + sum(decodes), rel=1e-12)
    assert s.itl["p50"] == pytest.approx(sorted(decodes)[4], rel=1e-12) and s.iterations == 10


def test_every_request_completes_and_tokens_are_conserved():
    config = SimConfig(workload=WorkloadConfig(requests=600, rate=40, seed=2))
    s = simulate(config).summary
    assert s.completed == 600
    from infraprep.sim.inference.workload import generate_sessions

    specs = generate_sessions(config.workload)
    assert s.output_tokens == sum(x.output[0] for x in specs)
    assert s.prompt_tokens == sum(x.user[0] for x in specs)
    assert s.ttft["p50"] <= s.ttft["p99"] <= s.e2e["p99"]


def test_same_seed_same_result_other_seed_other_result():
    config = SimConfig(workload=WorkloadConfig(requests=300, rate=30, seed=7),
                       replica=ReplicaConfig(prefix_cache="hash"))
    a, b = simulate(config).to_dict(), simulate(config).to_dict()
    for d in (a, b):
        d.pop("simulated_in_s")
    assert a == b
    c = simulate(config.with_workload(seed=8)).to_dict()
    assert c["ttft_s"] != a["ttft_s"]


def test_memory_pressure_preempts_and_still_completes():
    for mode in ("recompute", "swap"):
        config = SimConfig(workload=WorkloadConfig(requests=200, arrival="burst", seed=1),
                           replica=ReplicaConfig(num_blocks=400)).with_scheduler(preemption=mode)
        s = simulate(config).summary
        assert s.completed == 200 and s.preemptions > 0, mode
        assert s.kv_utilization > 0.5


def test_bad_deployments_are_errors():
    with pytest.raises(InvalidValue, match="--max-model-len"):
        SimConfig(workload=WorkloadConfig(max_len=8192))
    with pytest.raises(InvalidValue, match="--replicas=0"):
        SimConfig(replicas=0)
    with pytest.raises(Exception, match="no room for KV blocks"):
        simulate(SimConfig(replica=ReplicaConfig(model="llama3-405b")))


@pytest.mark.slow
def test_fifty_thousand_requests_in_under_ten_seconds_of_one_core():
    """Chat-like single-turn requests at 50 req/s (near this replica's saturation), 50,000 of them.
    CPU time of this process, so a loaded machine does not fail it."""
    config = SimConfig(workload=WorkloadConfig(requests=50_000, rate=50, seed=0))
    start = time.process_time()
    result = simulate(config)
    cpu = time.process_time() - start
    assert result.summary.completed == 50_000
    assert cpu < 10.0, f"{cpu:.1f} s"
