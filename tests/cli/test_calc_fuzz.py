"""Every registered `calc` command, read from the CLI itself: hostile arguments never show a traceback, and
each command answers in under 0.3 s of CPU (issue 3's acceptance for the calculator suite).

The commands and their options come from the click command tree (``infraprep.cli.calc.app``), so a new
calculator is fuzzed as soon as it registers. Its timing needs one valid invocation in ``EXAMPLES``: the
timing test fails, naming the command, until it has one.
"""

import json
import os

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import cli_env, cpu_seconds

# One valid, typical invocation per command (what a candidate would run), arguments after `calc NAME`.
EXAMPLES = {
    "hardware": ["h100-sxm", "--json"],
    "model": ["--preset", "llama3-405b", "--json"],
    "train-memory": ["--params", "7.5e9", "--dp", "64", "--zero", "1", "--grad-bytes", "2", "--json"],
    "activations": ["--seq", "2048", "--micro-batch", "1", "--hidden", "12288", "--heads", "96", "--tp", "8", "--sp",
                    "--recompute", "none", "--json"],
    "flops": ["--layers", "48", "--hidden", "6144", "--seq", "2048", "--vocab", "51200", "--global-batch", "4",
              "--iter-time", "1.10", "--gpus", "8", "--peak", "312e12", "--convention", "megatron", "--json"],
    "comm": ["--model", "llama3-70b", "--dp", "8", "--tp", "8", "--pp", "4", "--seq", "8192", "--sp",
             "--global-batch", "512", "--zero", "1", "--gpu", "h100-sxm", "--compute-time", "20", "--json"],
    "bubble": ["--schedule", "dualpipe", "--pp", "8", "--microbatches", "32", "--json"],
    "topology": ["--fat-tree", "--radix", "48", "--json"],
    "storage": ["--preset", "llama3-405b", "--write-bw", "1TB/s", "--json"],
    "checkpoint": ["--write-time", "300", "--mtbf", "86400", "--restart", "600", "--model", "daly", "--json"],
    "mtbf": ["--gpus", "16384", "--failures", "419", "--window-hours", "1296", "--json"],
    "collective": ["--op", "allreduce", "--algo", "ring", "--ranks", "8", "--bytes", "1e9", "--bandwidth", "450e9",
                   "--alpha", "5e-6", "--json"],
    "crossover": ["--ranks", "8", "--bandwidth", "450e9", "--alpha", "5e-6", "--json"],
    "ecmp": ["--flows", "8", "--uplinks", "8", "--qps", "16", "--json"],
    "kv-cache": ["--layers", "40", "--kv-heads", "40", "--head-dim", "128", "--dtype-bytes", "2", "--tokens", "2048",
                 "--json"],
    # one node: the 16,384-GPU search has its own 5 s budget (tests/cli/test_calc_plan.py)
    "plan": ["--model", "llama3-8b", "--gpu", "h100-sxm", "--gpus", "8", "--seq", "8192", "--global-batch", "64",
             "--json"],
}


def registered() -> dict:
    """name → click command, as `infraprep calc` registers them."""
    from infraprep.cli.calc import app

    group = typer.main.get_command(app)  # a lazy group: list the names, then load each command
    ctx = group.make_context("calc", [], resilient_parsing=True)
    return {name: group.get_command(ctx, name) for name in group.list_commands(ctx)}


COMMANDS = registered()

HOSTILE = ["0", "-1", "1", "2", "3", "7", "8", "96", "2048", "1e9", "7.5e9", "70B", "16k", "nan", "inf", "-inf",
           "1e400", "99999999999999999999", "0x10", "", " ", "☃", "💥", "\x00", "1/0", "abc", "80GB", "16GiB",
           "400Gbps", "3.35TB/s", "1.10", "3ms", "45%", "150%", "--json", "-x", "none", "full", "selective",
           "h100-sxm", "a100", "llama3-70b", "mixtral-8x7b", "gpipe", "interleaved", "palm", "causal", "x.pdf"]


def _values(option) -> st.SearchStrategy[str]:
    """Values for one option: hostile strings, numbers of every size, its own choices, and the values the
    examples give it (so a hostile value often lands in an otherwise valid command line)."""
    seen = [ex[i + 1] for ex in EXAMPLES.values() for i, a in enumerate(ex[:-1]) if a in option.opts]
    choices = list(getattr(option.type, "choices", None) or [])
    pool = st.sampled_from(HOSTILE + seen + choices)
    return st.one_of(pool, pool, st.integers(-10, 10**20).map(str), st.floats(allow_nan=True).map(str),
                     st.text(max_size=8))


@st.composite
def command_line(draw, name):
    command = COMMANDS[name]
    options = [p for p in command.params if p.param_type_name == "option" and p.name != "as_json"]
    arguments = [p for p in command.params if p.param_type_name == "argument"]
    args = ["calc", name]
    if name in EXAMPLES and draw(st.booleans()):  # start from a valid invocation and break it
        args += [a for a in EXAMPLES[name] if a != "--json"]
    for _ in arguments:
        if draw(st.booleans()):
            args.append(draw(st.sampled_from(HOSTILE)))
    for _ in range(draw(st.integers(0, 6))):
        if not options:
            break
        option = draw(st.sampled_from(options))
        if option.is_flag:
            args.append(draw(st.sampled_from(option.opts + option.secondary_opts)))
        else:
            args += [draw(st.sampled_from(option.opts)), draw(_values(option))]
    json_mode = draw(st.booleans())
    return args + (["--json"] if json_mode else []), json_mode


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(COMMANDS))
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_fuzzing_every_command_never_shows_a_traceback(cli, name, data):
    args, json_mode = data.draw(command_line(name))
    out = cli(*args)
    assert out.code in (0, 2), (args, out.code, out.err[-2000:])
    assert "Traceback" not in out.out + out.err, args
    if out.code == 2:
        assert out.err.startswith("infraprep: error:") and out.err.count("\n") == 1, (args, out.err)
    elif json_mode:
        json.loads(out.out)


def test_the_fuzz_sees_every_calc_command():
    # the registry is read from the CLI, so this lists what the fuzz and the timing cover
    assert {"hardware", "model", "train-memory", "activations", "flops", "comm", "bubble", "topology", "storage",
            "plan"} <= set(COMMANDS)


@pytest.mark.slow
def test_every_command_answers_in_under_0_3_s(isolated_workspace):
    # CPU seconds (user + system) of the whole process, best of 5, interleaved with `calc hardware --json` as
    # the baseline measured in the same minute. On a quiet machine the budget is absolute (0.3 s); when the
    # shared machine slows every process down (the baseline itself then takes 0.3-0.4 s), a command may take
    # at most 1.5x the baseline: a heavy import (numpy, matplotlib) or a slow search would double it.
    missing = sorted(set(COMMANDS) - set(EXAMPLES))
    assert not missing, f"add an example invocation for calc {', '.join(missing)} to EXAMPLES"
    env = cli_env(INFRAPREP_HOME=str(isolated_workspace))
    runs = {name: ["calc", name, *EXAMPLES[name]] for name in sorted(COMMANDS)}
    runs["baseline"] = ["calc", "hardware", "--json"]
    for argv in runs.values():
        cpu_seconds(argv, env)  # warm caches; asserts exit 0
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(5):
        for name, argv in runs.items():
            best[name] = min(best[name], cpu_seconds(argv, env))
    slow = {name: round(t, 3) for name, t in best.items() if t >= max(0.3, 1.5 * best["baseline"])}
    assert not slow, (slow, round(best["baseline"], 3))


HEAVY = ("torch", "numpy", "matplotlib", "numba", "triton", "networkx", "fsrs")


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_no_command_imports_a_heavy_library(name, isolated_workspace):
    import subprocess
    import sys

    env = {**os.environ, "INFRAPREP_HOME": str(isolated_workspace)}
    run = subprocess.run([sys.executable, "-X", "importtime", "-m", "infraprep", "calc", name, *EXAMPLES[name]],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    loaded = {line.split("|")[-1].strip().split(".")[0] for line in run.stderr.splitlines() if "|" in line}
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
