"""The paged engine: greedy outputs token for token equal to a dense reference, across batch
compositions, with and without prefix caching, through preemption; and continuous vs static batching."""

import random

import pytest

torch = pytest.importorskip("torch")

from infraprep.errors import InvalidValue  # noqa: E402
from infraprep.labs.engine import EngineRequest, PagedEngine, TinyConfig, TinyTransformer, dense_generate  # noqa: E402
from infraprep.sim.serving import SchedulerConfig  # noqa: E402


@pytest.fixture(scope="module")
def model():
    torch.set_num_threads(1)
    return TinyTransformer(TinyConfig(), dtype=torch.float64)  # float64: no near-tie can flip an argmax


@pytest.fixture(scope="module")
def workload():
    """12 requests; most share one of two system prompts (so prefix caching has something to find)."""
    rng = random.Random(5)
    systems = [[rng.randrange(512) for _ in range(19)], [rng.randrange(512) for _ in range(11)]]
    requests = []
    for i in range(12):
        head = systems[i % 3] if i % 3 < 2 else []
        prompt = head + [rng.randrange(512) for _ in range(rng.randint(1, 9))]
        requests.append(EngineRequest(tuple(prompt), rng.randint(1, 10), arrival=rng.randint(0, 12)))
    return requests


@pytest.fixture(scope="module")
def reference(model, workload):
    return [dense_generate(model, r.prompt, r.max_new_tokens, keep_logits=True) for r in workload]


CASES = {
    "one at a time": dict(config=SchedulerConfig(max_batched_tokens=64, max_num_seqs=1), block_size=4),
    "all at once, chunks of 8": dict(config=SchedulerConfig(max_batched_tokens=8, max_num_seqs=8), block_size=4,
                                     at_once=True),
    "staggered, prefill-first": dict(config=SchedulerConfig(max_num_seqs=6, policy="prefill-first",
                                                            chunked_prefill=False), block_size=8),
    "static batches of 5": dict(config=SchedulerConfig(max_num_seqs=5, policy="static"), block_size=16),
    "hash prefix cache": dict(config=SchedulerConfig(max_batched_tokens=16, max_num_seqs=4), block_size=4, cache="hash"),
    "radix prefix cache, block 1": dict(config=SchedulerConfig(max_batched_tokens=16, max_num_seqs=4), block_size=1,
                                        cache="radix"),
    "tight pool, recompute": dict(config=SchedulerConfig(max_batched_tokens=16, max_num_seqs=8), block_size=4,
                                  num_blocks=9, cache="hash", at_once=True),
    "tight pool, swap": dict(config=SchedulerConfig(max_batched_tokens=16, max_num_seqs=8, preemption="swap"),
                             block_size=4, num_blocks=9, at_once=True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_token_exact_against_dense(model, workload, reference, case):
    spec = CASES[case]
    requests = [EngineRequest(r.prompt, r.max_new_tokens, 0) for r in workload] if spec.get("at_once") else workload
    engine = PagedEngine(model, spec.get("num_blocks", 64), spec["block_size"], spec["config"], spec.get("cache", "none"),
                         num_cpu_blocks=64)
    outputs, stats = engine.generate(requests, keep_logits=True)
    for i, (expected, expected_logits) in enumerate(reference):
        assert outputs[i] == expected, f"request {i}"
        got = torch.stack(engine.last_logits[i])
        assert torch.allclose(got, torch.stack(expected_logits), atol=1e-9), f"request {i} logits"
    assert stats.generated_tokens == sum(r.max_new_tokens for r in workload)
    if "cache" in spec:
        assert stats.cached_tokens > 0  # the shared system prompts were served from cache
        assert stats.prefill_tokens < sum(len(r.prompt) for r in workload) + stats.preemptions * 40
    if "tight" in case:
        assert stats.preemptions > 0
    if case == "all at once, chunks of 8":
        assert max(stats.batch_sizes) > 1 and stats.iterations < sum(r.max_new_tokens for r in workload)


def test_bad_requests_are_errors(model):
    engine = PagedEngine(model, 8, 4, SchedulerConfig())
    with pytest.raises(InvalidValue, match="token ids in \\[0, 512\\)"):
        engine.generate([EngineRequest((1, 600), 2)])
    with pytest.raises(InvalidValue, match="whole KV pool"):
        engine.generate([EngineRequest(tuple(range(40)), 2)])
