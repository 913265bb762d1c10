"""`calc plan` through the CLI: the JSON contract, the table, bad input, and the 16,384-GPU budget."""

import json
import subprocess
import sys

import pytest

from tests.helpers import cli_env, cpu_seconds

LLAMA = ["calc", "plan", "--model", "llama3-405b", "--gpu", "h100-sxm", "--gpus", "16384", "--seq", "8192"]
SMALL = ["calc", "plan", "--model", "llama3-8b", "--gpu", "h100-sxm", "--gpus", "64", "--seq", "8192",
         "--global-batch", "512"]


@pytest.fixture
def env(isolated_workspace):
    return cli_env(INFRAPREP_HOME=str(isolated_workspace))


@pytest.mark.slow
def test_16384_gpus_from_outside_in_under_5_s_with_the_json_contract(env):
    # The acceptance: plan for 16,384 GPUs in under 5 s. CPU seconds of the whole command (start-up
    # included), best of 3: wall time on this shared 2-core machine measures the neighbours.
    args = [*LLAMA, "--global-batch", "2048", "--top", "5", "--json"]
    run = subprocess.run([sys.executable, "-m", "infraprep", *args], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # no progress bar in --json mode
    data = json.loads(run.stdout)
    assert len(data["plans"]) == 5 and [p["rank"] for p in data["plans"]] == [1, 2, 3, 4, 5]
    steps = [p["step_time_s"] for p in data["plans"]]
    assert steps == sorted(steps)
    for p in data["plans"]:
        assert p["dp"] * p["tp"] * p["pp"] * p["cp"] == 16384 and p["tp"] <= 8
        assert p["memory_bytes"]["total"] <= 80e9 and p["margin_bytes"] == pytest.approx(80e9 - p["memory_bytes"]["total"])
        assert sum(p["breakdown_s"].values()) == pytest.approx(p["step_time_s"])
        assert 0 < p["mfu"] <= p["hfu"] <= 0.5  # fractions, never percent; at most the efficiency
    assert data["tokens_per_step"] == 2048 * 8192 and data["peak_flops_per_sec"] == 989.4e12
    reasons = {r["reason"]: r["count"] for r in data["rejected"]["layouts"]}
    assert reasons["tp-domain"] > 0 and reasons["pp-layers"] > 0
    structural = sum(n for reason, n in reasons.items() if reason != "memory")  # memory: valid, fits nowhere
    assert data["layouts"]["total"] == data["layouts"]["valid"] + structural
    assert data["conventions"]["efficiency"] == 0.5
    best = min(cpu_seconds(args, env) for _ in range(3))
    assert best < 5.0, f"{best:.2f} s of CPU"


def test_global_tokens_is_the_same_batch_in_tokens(cli):
    by_sequences = cli(*SMALL, "--json").json()
    tokens = [a if a != "--global-batch" else "--global-tokens" for a in SMALL]
    tokens[tokens.index("512")] = "4194304"  # 512 × 8192
    assert cli(*tokens, "--json").json() == by_sequences


def test_fixed_degrees_search_only_the_rest(cli):
    data = cli(*LLAMA, "--global-tokens", "16777216", "--tp", "8", "--pp", "16", "--cp", "1", "--json").json()
    assert {(p["dp"], p["tp"], p["pp"], p["cp"]) for p in data["plans"]} == {(128, 8, 16, 1)}
    assert data["plans"][0]["split"] == "balanced" and data["plans"][0]["layer_slots_per_stage"] == 8
    assert data["layouts"] == {"total": 1, "valid": 1}


def test_search_space_options_restrict_the_plans(cli):
    data = cli(*SMALL, "--zero", "1", "--recompute", "full", "--recompute", "selective", "--schedule", "1f1b",
               "--max-micro-batch", "2", "--top", "20", "--json").json()
    assert data["plans"]
    assert {p["zero"] for p in data["plans"]} == {1}
    assert {p["recompute"] for p in data["plans"]} <= {"full", "selective"}
    assert {p["schedule"] for p in data["plans"]} <= {"1f1b", "none"}
    assert max(p["micro_batch"] for p in data["plans"]) <= 2


def test_table_shows_plans_rejections_and_the_derivation(cli):
    out = cli(*SMALL)
    assert out.code == 0, out.err
    for text in ("Best plans: llama3-8b on 64 × h100-sxm", "Why the rest fail", "derivation (best plan)",
                 "TP exceeds or straddles the scale-up domain of 8 GPUs", "MFU ="):
        assert text in out.out


def test_a_narrow_terminal_gets_the_compact_plan_table_uncut(cli, monkeypatch):
    from infraprep.cli.output import console

    monkeypatch.setattr(console, "width", 80)
    out = cli(*SMALL, "--top", "3").out
    table = out[:out.index("Why the rest fail")]
    assert "ZeRO ·" in table and "narrow terminal" in table
    assert "…" not in table and max(len(line.rstrip()) for line in table.splitlines()) <= 80
    data = cli(*SMALL, "--top", "3", "--json").json()
    for p in data["plans"]:  # every ranked plan's layout and step, whole
        assert f"DP{p['dp']} TP{p['tp']} PP{p['pp']}" in table
    monkeypatch.setattr(console, "width", 160)
    wide = cli(*SMALL, "--top", "3").out
    assert "compute + bubble + comm" in wide and "ZeRO ·" not in wide and "narrow terminal" not in wide


def test_nothing_fits_is_an_answer_not_an_error(cli):
    out = cli("calc", "plan", "--model", "llama3-405b", "--gpu", "h100-sxm", "--gpus", "8", "--seq", "8192",
              "--global-batch", "8")
    assert out.code == 0, out.err
    assert "no plan fits" in out.out and "no micro-batch, ZeRO stage, recompute or schedule fits" in out.out
    data = cli("calc", "plan", "--model", "llama3-405b", "--gpu", "h100-sxm", "--gpus", "8", "--seq", "8192",
               "--global-batch", "8", "--json").json()
    assert data["plans"] == [] and data["feasible_plans"] == 0


def test_a_shape_instead_of_a_preset(cli):
    out = cli("calc", "plan", "--layers", "24", "--hidden", "2304", "--heads", "24", "--vocab", "51200", "--gpu",
              "a100-80gb", "--gpus", "32", "--seq", "2048", "--global-batch", "512", "--json")
    assert out.code == 0, out.err
    assert out.json()["model"] == "custom" and out.json()["plans"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gpu", "h100"], "unknown GPU 'h100'; did you mean h100-sxm"),
        (["--model", "llama-5"], "unknown model 'llama-5'"),
        (["--gpus", "0"], "--gpus=0 is not valid"),
        (["--gpus", "24", "--pp", "24"], "--gpus=24 is not valid: expected a GPU count that factors"),
        (["--gpus", "12", "--tp", "8"], "--tp=8 is not valid: expected a divisor of --gpus=12"),
        (["--seq", "8", "--global-batch", "3"], "--global-batch=3 is not valid"),
        (["--global-tokens", "16M"], "--global-tokens=16000000 is not valid: expected a multiple of --seq=8192 tokens (e.g. 15,998,976)"),
        (["--global-batch", "2048", "--global-tokens", "16777216"], "exactly one of --global-batch"),
        (["--efficiency", "150%"], "expected a fraction"),
        (["--zero", "5", "--global-batch", "2048"], "--zero=5 is not valid"),
        (["--recompute", "most", "--global-batch", "2048"], "--recompute='most' is not valid"),
        (["--gpu", "mi300x", "--global-batch", "2048"], "--inter-bw=None is not valid"),
        (["--layers", "3", "--global-batch", "2048"], "drop --layers"),
        (["--top", "0", "--global-batch", "2048"], "--top=0 is not valid"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args, message):
    base = {"--model": "llama3-405b", "--gpu": "h100-sxm", "--gpus": "16384", "--seq": "8192"}
    given = dict(zip(args[::2], args[1::2]))
    argv = ["calc", "plan", *[x for k, v in base.items() if k not in given for x in (k, v)], *args]
    if not any(a in args for a in ("--global-batch", "--global-tokens")):
        argv += ["--global-batch", "2048"]
    out = cli(*argv)
    assert out.code == 2, (argv, out.out)
    assert out.err.count("\n") == 1 and out.err.startswith("infraprep: error:"), out.err
    assert message in out.err
