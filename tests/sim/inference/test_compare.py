"""The issue's acceptance comparisons, each on one seeded workload run side by side."""

import pytest

from infraprep.errors import InvalidValue
from infraprep.sim.inference import ReplicaConfig, SimConfig, WorkloadConfig
from infraprep.sim.inference.compare import compare

CHAT = WorkloadConfig(requests=1500, rate=10, seed=0)  # lognormal chat lengths, medians 256 / 128


def test_paged_admits_at_least_twice_the_sequences_of_max_length_reservation():
    c = compare("paged", SimConfig(workload=CHAT))
    paged, contiguous = c.runs["paged"].summary, c.runs["contiguous"].summary
    assert c.ratio == paged.mean_running / contiguous.mean_running >= 2.0, c.ratio
    assert paged.max_running >= 2 * contiguous.max_running
    # contiguous reserves 4096 slots per sequence: its peak is the pool divided by that
    pool = c.runs["contiguous"].num_blocks * c.runs["contiguous"].block_size
    assert contiguous.max_running == pool // 4096
    assert contiguous.fragmentation > 0.5 > paged.fragmentation


def test_continuous_batching_at_least_doubles_static_throughput():
    c = compare("static", SimConfig(workload=CHAT.__class__(requests=2000, rate=10, seed=0)))
    runs = {k: r.summary for k, r in c.runs.items()}
    assert c.ratio == runs["continuous"].throughput / runs["static"].throughput >= 2.0, c.ratio
    assert runs["static, padded"].throughput < runs["static"].throughput  # padding only costs more
    assert all(s.completed == 2000 and s.output_tokens == runs["continuous"].output_tokens for s in runs.values())


def test_chunked_prefill_lowers_p99_itl_at_the_same_load():
    c = compare("chunked", SimConfig(workload=WorkloadConfig(requests=1500, rate=30, seed=0)))
    chunked, unchunked = c.runs["chunked"].summary, c.runs["prefill-first"].summary
    assert chunked.itl["p99"] < unchunked.itl["p99"]
    assert c.ratio > 1.5
    assert chunked.completed == unchunked.completed == 1500


def test_prefix_caching_hit_rate_and_ttft_gain_on_multi_turn_sessions():
    base = SimConfig(workload=WorkloadConfig(requests=800, rate=4, turns=4, system_prompt=512, seed=0))
    c = compare("prefix", base)
    none, hashed, radix = (c.runs[k] for k in ("none", "hash", "radix"))
    assert none.cache is None and none.summary.cached_tokens == 0
    assert hashed.cache["hit_rate"] > 0.5 and hashed.summary.cached_fraction > 0.5
    assert radix.cache["hit_rate"] == pytest.approx(hashed.cache["hit_rate"], abs=0.05)  # no eviction pressure here
    assert c.ratio == none.summary.mean_ttft / hashed.summary.mean_ttft > 1.5


def test_disaggregation_runs_both_layouts_on_the_same_gpus():
    c = compare("disagg", SimConfig(workload=WorkloadConfig(requests=800, rate=40, seed=0)))
    colocated, split = c.runs["colocated"].summary, c.runs["disaggregated"].summary
    assert colocated.completed == split.completed == 800
    assert split.itl["p99"] < colocated.itl["p99"]  # decodes never wait behind a prefill
    assert split.ttft["p50"] <= colocated.ttft["p50"]  # prefills never wait behind decodes


def test_unknown_comparison_lists_the_valid_ones():
    with pytest.raises(InvalidValue, match="paged, static, chunked, prefix, disagg"):
        compare("speculative", SimConfig(replica=ReplicaConfig()))
