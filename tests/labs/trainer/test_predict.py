"""The predicted column — calc comm, calc train-memory and calc bubble run on the trainer's configuration —
equals what the meter and the memory accounting measure, rank by rank."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.labs.trainer import predict
from infraprep.labs.trainer.config import ModelShape, TrainConfig
from tests.labs.trainer.conftest import CONFIGS
from tests.labs.trainer.helpers import padded, psi, stage_ranks, unit_params


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
        want = predict.comm_per_step(c, stage)  # calc comm's collectives
        sent = {key: b for key, (_, b) in predict.traffic(c, stage).items()}
        want_memory = predict.memory(c, stage)  # calc train-memory
        assert want and all(isinstance(v, int) for v in [*want.values(), *want_memory.values()])
        for r in stage_ranks(result, stage):
            assert {(x["kind"], x["group"]): x["elements"] for x in r["comm_per_step"]} == want
            assert {(x["kind"], x["group"]): x["ring_bytes_sent"] for x in r["comm_per_step"]} == pytest.approx(sent)
            assert {k: r["memory"][k] for k in want_memory} == want_memory
        assert result.peak_in_flight()[stage] == predict.in_flight(c, stage)
    for r in result.ranks:  # every step moves the same: the total is steps × the first step
        first = {(x["kind"], x["group"]): x["elements"] for x in r["comm_per_step"]}
        assert {(x["kind"], x["group"]): x["elements"] for x in r["comm_total"]} == {k: v * c.steps for k, v in first.items()}


def test_docs_worked_example_is_what_the_code_predicts(cli):
    import shlex
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "round-3.md").read_text(encoding="utf-8")
    section = doc.split("### Worked example", 1)[1].split("\n## ", 1)[0]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in section.splitlines()
            if line.startswith("| ") and line[2].isdigit()]
    c = TrainConfig(dp=2, tp=2, pp=2)
    table = {(int(s), kind, group): int(n.replace(",", "")) for s, kind, group, n in rows}
    assert table == {(s, k, g): v for s in range(2) for (k, g), v in predict.comm_per_step(c, s).items()}
    assert predict.stage_params(c, 0) == 58_880 == 2 * (12 * 64**2 // 2 + 4 * 64) + (128 + 16) * 64
    # the commands the page shows give the same rows, through the CLI
    block = section.split("```", 2)[1].replace("\\\n", " ")
    commands = [shlex.split(line)[1:] for line in block.splitlines() if line.startswith("infraprep")]
    from_cli = {}
    for args in commands:
        out = cli(*args)
        assert out.code == 0, out.err
        stage = int(args[args.index("--pp-stage") + 1])
        for component in out.json()["components"]:
            for coll in component["collectives"]:
                from_cli[stage, coll["kind"], component["name"]] = coll["elements"]
    assert len(commands) == 2 and from_cli == table


@pytest.mark.parametrize("name", ["dp", "zero1-pad", "zero3-pad", "3d-sp-zero1", "3d-zero3-gpipe"])
def test_memory_prediction_matches_a_hand_count(name):
    """calc train-memory with the trainer's conventions, against the bytes written out from the layout:
    fp32 weights and gradients (4 B) and Adam's m and v (8 B); ZeRO-1 pads one flat buffer per stage,
    ZeRO-3 each unit, to a multiple of d."""
    c = CONFIGS[name]
    for stage in range(c.pp):
        n, units = psi(c, stage), unit_params(c, stage)
        if c.zero == 3:
            shard = sum(padded(u, c.dp) for u in units) // c.dp
            want = (4 * shard, 4 * shard, 8 * shard)
        elif c.zero == 1:
            want = (4 * padded(n, c.dp), 4 * n, 8 * padded(n, c.dp) // c.dp)
        else:
            want = (4 * n, 4 * n, 8 * n)
        got = predict.memory(c, stage)
        assert (got["param_bytes"], got["grad_bytes"], got["optimizer_bytes"]) == want
