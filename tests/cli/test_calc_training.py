"""The training calculators from outside: scripting contracts, bad input, fuzzing, start-up cost."""

import json
import os
import subprocess
import sys

import pytest

CONTRACTS = {
    "train-memory": ["calc", "train-memory", "--params", "7.5e9", "--dp", "64", "--zero", "1", "--grad-bytes", "2",
                     "--json"],
    "activations": ["calc", "activations", "--seq", "2048", "--micro-batch", "1", "--hidden", "12288", "--heads", "96",
                    "--tp", "8", "--sp", "--recompute", "none", "--json"],
    "flops": ["calc", "flops", "--layers", "48", "--hidden", "6144", "--seq", "2048", "--vocab", "51200",
              "--global-batch", "4", "--iter-time", "1.10", "--gpus", "8", "--peak", "312e12", "--convention",
              "megatron", "--json"],
    "flops-palm": ["calc", "flops", "--params", "540.35e9", "--layers", "118", "--heads", "48", "--head-dim", "256",
                   "--seq", "2048", "--tokens-per-sec", "238.3e3", "--gpus", "6144", "--peak", "275e12",
                   "--convention", "palm", "--json"],
    "comm": ["calc", "comm", "--model", "llama3-70b", "--dp", "8", "--tp", "8", "--pp", "4", "--seq", "8192", "--sp",
             "--global-batch", "512", "--zero", "1", "--gpu", "h100-sxm", "--compute-time", "20", "--json"],
}


def outside(args, env):
    run = subprocess.run([sys.executable, "-m", "infraprep", *args], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.fixture
def env(isolated_workspace):
    return {**os.environ, "INFRAPREP_HOME": str(isolated_workspace)}


def test_scripting_contracts_from_outside(env):
    psi = 7.5e9
    memory = outside(CONTRACTS["train-memory"], env)
    assert set(memory["per_gpu_bytes"]) == {"params", "grads", "optimizer", "activations", "total"}
    assert memory["per_gpu_bytes"]["total"] == pytest.approx(2 * psi + 2 * psi + 12 * psi / 64)

    act = outside(CONTRACTS["activations"], env)
    s, b, h, a, t = 2048, 1, 12288, 96, 8
    assert act["bytes_per_layer"] == pytest.approx(s * b * h * (34 / t + 5 * a * s / (h * t)))

    mfu = outside(CONTRACTS["flops"], env)
    assert 0 < mfu["mfu"] <= mfu["hfu"] <= 1

    palm = outside(CONTRACTS["flops-palm"], env)
    assert 0.46 < palm["mfu"] < 0.465

    traffic = outside(CONTRACTS["comm"], env)
    assert set(traffic["per_gpu_bytes"]) == {"dp", "tp", "pp", "cp", "ep", "total"}
    assert traffic["hides"]["dp"] is True and traffic["hides"]["tp"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["calc", "train-memory", "--params", "7B", "--zero", "5"], "--zero=5 is not valid: expected 0, 1, 2 or 3"),
        (["calc", "train-memory", "--params", "-7B"], "'-7B': expected a count"),
        (["calc", "train-memory", "--params", "7B", "--gpu", "h100"], "unknown GPU 'h100'; did you mean h100-sxm"),
        (["calc", "train-memory", "--model", "llama3-70b", "--tp", "3"], "--tp=3 is not valid: expected a divisor of heads=64"),
        (["calc", "train-memory", "--model", "llama3-70b", "--pp", "3"], "--pp=3 is not valid: expected a divisor of layers=80"),
        (["calc", "train-memory", "--model", "llama-5"], "unknown model 'llama-5'"),
        (["calc", "train-memory", "--model", "llama3-8b", "--layers", "3"], "drop --layers"),
        (["calc", "activations", "--seq", "2048", "--hidden", "12288", "--heads", "96", "--tp", "7"], "divisor of heads=96"),
        (["calc", "activations", "--hidden", "12288", "--heads", "96"], "give --seq"),
        (["calc", "flops", "--convention", "palm", "--params", "1e9"], "--convention='palm' is not valid"),
        (["calc", "flops", "--convention", "6n", "--params", "1e9", "--gpu", "a100"], "unknown GPU 'a100'"),
        (["calc", "comm", "--params", "1e9", "--dp", "4", "--tp", "2"], "traffic needs"),
        (["calc", "comm", "--params", "1e9", "--inter-bw", "400G"], "expected a bandwidth"),
        (["calc", "comm", "--params", "1e9", "--dp", "2", "--zero", "1", "--zero3-gather", "microbatch"],
         "--zero3-gather='microbatch' is not valid: expected step unless --zero 3"),
        (["calc", "comm", "--model", "llama3-8b", "--norm", "layernorm"], "drop --norm"),
        (["calc", "train-memory", "--params", "1e9", "--dp", "2", "--zero", "3", "--flat-buffers", "5e8,5e8"],
         "without --pad-shards"),
        (["calc", "train-memory", "--params", "1e9", "--pad-shards", "--flat-buffers", "5e8,x"],
         "--flat-buffers='5e8,x' is not valid: expected 1 to 4096 comma-separated values"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli, args, message):
    out = cli(*args)
    assert out.code == 2
    assert out.err.count("\n") == 1 and out.err.startswith("infraprep: error:"), out.err
    assert message in out.err


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_tables_render_with_the_derivation(cli, name):
    out = cli(*[a for a in CONTRACTS[name] if a != "--json"])
    assert out.code == 0, out.err
    assert "derivation" in out.out


def test_a_trained_model_reports_whether_it_fits(cli):
    out = cli("calc", "train-memory", "--model", "llama3-70b", "--dp", "8", "--tp", "8", "--pp", "4", "--zero", "1",
              "--seq", "8192", "--sp", "--recompute", "selective", "--gpu", "h100-sxm", "--json")
    data = out.json()
    assert data["fits"] is True and data["capacity_bytes"] == 80e9
    assert data["margin_bytes"] == pytest.approx(80e9 - data["per_gpu_bytes"]["total"])
    assert data["per_gpu_bytes"]["activations"] > 0


def test_presets_fill_the_flops_shape_with_active_parameters(cli):
    from infraprep.calc.model import count_params, get_model

    active = count_params(get_model("mixtral-8x7b")).active
    data = cli("calc", "flops", "--model", "mixtral-8x7b", "--convention", "6n", "--json").json()
    assert data["model_flops_per_token"] == 6 * active
    assert data["conventions"]["params"] == "mixtral-8x7b: active parameters"
    out = cli("calc", "flops", "--model", "llama3-8b", "--convention", "megatron", "--seq", "8192")
    assert out.code == 2 and "llama3-8b is not one: use --convention palm or 6n" in out.err
