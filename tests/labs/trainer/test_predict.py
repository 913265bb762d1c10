"""The predicted column equals what the meter and the memory accounting measure, rank by rank."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.labs.trainer import predict
from infraprep.labs.trainer.config import ModelShape, TrainConfig
from tests.labs.trainer.conftest import CONFIGS
from tests.labs.trainer.helpers import psi, stage_ranks


@given(st.sampled_from([1, 2, 4]), st.sampled_from([1, 2, 4]), st.sampled_from([16, 32, 64]), st.integers(3, 300))
def test_stage_params_agree_with_the_test_formula(tp, pp, hidden, vocab):
    c = TrainConfig(model=ModelShape(layers=4, hidden=hidden, heads=4, vocab=vocab), tp=tp, pp=pp)
    assert [predict.stage_params(c, s) for s in range(pp)] == [psi(c, s) for s in range(pp)]


def test_bubble_closed_form():
    # Narayanan et al. 2021 §2.2: bubble time fraction (p − 1)/m of the ideal, (p − 1)/(m + p − 1) of the step
    assert predict.bubble_fraction(TrainConfig(pp=4, micro_batches=8, model=ModelShape(layers=4))) == 3 / 11
    assert predict.bubble_fraction(TrainConfig()) == 0.0


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CONFIGS))
def test_predicted_equals_measured(runs, name):
    result = runs[name]
    c = result.config
    for stage in range(c.pp):
        want = predict.comm_per_step(c, stage)
        want_memory = predict.memory(c, stage)
        for r in stage_ranks(result, stage):
            assert {(x["kind"], x["group"]): x["elements"] for x in r["comm_per_step"]} == want
            assert {k: r["memory"][k] for k in want_memory} == want_memory
        assert result.peak_in_flight()[stage] == predict.in_flight(c, stage)
    for r in result.ranks:  # every step moves the same: the total is steps × the first step
        first = {(x["kind"], x["group"]): x["elements"] for x in r["comm_per_step"]}
        assert {(x["kind"], x["group"]): x["elements"] for x in r["comm_total"]} == {k: v * c.steps for k, v in first.items()}


def test_docs_worked_example_is_what_the_code_predicts():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "round-3.md").read_text(encoding="utf-8")
    section = doc.split("### Worked example", 1)[1].split("\n## ", 1)[0]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in section.splitlines()
            if line.startswith("| ") and line[2].isdigit()]
    c = TrainConfig(dp=2, tp=2, pp=2)
    table = {(int(s), kind, group): int(n.replace(",", "")) for s, kind, group, n in rows}
    assert table == {(s, k, g): v for s in range(2) for (k, g), v in predict.comm_per_step(c, s).items()}
    assert predict.stage_params(c, 0) == 58_880 == 2 * (12 * 64**2 // 2 + 4 * 64) + (128 + 16) * 64
