"""``calc checkpoint`` and ``calc mtbf`` through the CLI: the scripting contract, errors, fuzzing, speed."""


import pytest
from hypothesis import strategies as st

CHECKPOINT = ("calc", "checkpoint", "--write-time", "300", "--mtbf", "86400")
MTBF = ("calc", "mtbf", "--gpus", "16384", "--failures", "419", "--window-hours", "1296")


def test_checkpoint_contract(cli):
    young = cli(*CHECKPOINT, "--restart", "600", "--model", "young", "--json")
    assert young.code == 0, young.err
    assert young.json()["interval_s"] == pytest.approx(7200.0)  # √(2·300·86400)
    daly = cli(*CHECKPOINT, "--model", "daly", "--json").json()
    assert daly["interval_s"] == pytest.approx(7001.39, abs=0.01)
    assert daly["conventions"]["interval_model"] == "daly"


def test_checkpoint_human_units_size_bandwidth_and_table(cli):
    # 3 TB at 10 GB/s = 300 s, the same δ as --write-time 5min; M = 1d.
    a = cli("calc", "checkpoint", "--size", "3TB", "--bandwidth", "10GB/s", "--mtbf", "1d", "--json").json()
    b = cli("calc", "checkpoint", "--write-time", "5min", "--mtbf", "24h", "--json").json()
    assert a["write_time_s"] == pytest.approx(300) and a["interval_s"] == pytest.approx(b["interval_s"])
    table = cli("calc", "checkpoint", "--write-time", "5min", "--mtbf", "24h", "--snapshot-time", "10s")
    assert table.code == 0 and "Young" in table.out and "√(2·300·86400)" in table.out and "async" in table.out


def test_mtbf_contract(cli):
    r = cli(*MTBF, "--json")
    assert r.code == 0, r.err
    d = r.json()
    assert d["mtbf_hours"] == pytest.approx(1296 / 419)
    assert d["per_gpu_rate_per_hour"] == pytest.approx(419 / (16384 * 1296))
    assert [row["gpus"] for row in d["scaling"]][0] == 1024


def test_mtbf_preset_components_and_goodput(cli):
    preset = cli("calc", "mtbf", "--preset", "llama3", "--write-time", "2min", "--restart", "10min")
    assert preset.code == 0 and "Faulty GPU" in preset.out and "goodput" in preset.out
    comp = cli("calc", "mtbf", "--component", "gpu:2000:4e-5", "--component", "nic:250:8e-5", "--json").json()
    assert comp["mtbf_hours"] == pytest.approx(10.0)
    mtbf = cli("calc", "mtbf", "--gpus", "1k", "--per-gpu-mtbf-hours", "50000", "--scale", "1k,10k", "--json").json()
    assert mtbf["mtbf_hours"] == pytest.approx(50.0)
    assert [row["mtbf_hours"] for row in mtbf["scaling"]] == pytest.approx([50.0, 5.0])


@pytest.mark.parametrize("args, fragment", [
    (("calc", "checkpoint", "--write-time", "-3", "--mtbf", "10"), "--write-time"),
    (("calc", "checkpoint", "--write-time", "3"), "--mtbf"),
    (("calc", "checkpoint", "--write-time", "3", "--mtbf", "10", "--model", "yung"), "--model"),
    (("calc", "checkpoint", "--write-time", "3", "--size", "1GB", "--mtbf", "10"), "not both"),
    (("calc", "checkpoint", "--size", "1GB", "--mtbf", "10"), "--write-time"),
    (("calc", "mtbf", "--gpus", "10"), "exactly one of"),
    (("calc", "mtbf", "--preset", "lama3"), "did you mean llama3"),
    (("calc", "mtbf", "--gpus", "10", "--failures", "0", "--window-hours", "5"), "--failures"),
    (("calc", "mtbf", "--component", "gpu:10"), "NAME:COUNT:RATE"),
    (("calc", "mtbf", "--component", "gpu:10:abc"), "--component"),
    (("calc", "mtbf", "--gpus", "8", "--per-gpu-rate", "1e-4", "--scale", "1k,x"), "--scale"),
    (("calc", "mtbf", "--preset", "llama3", "--failures", "3"), "--preset"),
])
def test_bad_input_is_one_line_exit_2(cli, args, fragment):
    r = cli(*args)
    assert r.code == 2, (r.out, r.err)
    assert fragment in r.err and "Traceback" not in r.err
    assert len(r.err.strip().splitlines()) == 1


HOSTILE = st.sampled_from(["0", "-1", "nan", "inf", "-inf", "1e308", "1e-308", "", " ", "abc", "5min", "24h",
                           "3TB", "10GB/s", "1e999", "0x10", "1_000", "∞", "--json", "llama3", "young", "daly",
                           "gpu:1:1", "a:b:c", "::", "1k,2k", "%s", "'", "\x00"])
VALUES = st.one_of(HOSTILE, st.floats(allow_nan=True, allow_infinity=True).map(repr),
                   st.integers(-10**12, 10**12).map(str), st.text(max_size=8))
CHECKPOINT_OPTS = ["--write-time", "--mtbf", "--restart", "--model", "--waste-model", "--interval", "--snapshot-time",
                   "--size", "--bandwidth"]
MTBF_OPTS = ["--gpus", "--failures", "--window-hours", "--per-gpu-rate", "--per-gpu-mtbf-hours", "--component",
             "--preset", "--interval", "--write-time", "--restart", "--scale"]


def _args(command, options):
    pairs = st.lists(st.tuples(st.sampled_from(options), VALUES), max_size=6)
    return pairs.map(lambda ps: ["calc", command] + [x for p in ps for x in p]) | st.lists(VALUES, max_size=6).map(
        lambda vs: ["calc", command, *vs])






