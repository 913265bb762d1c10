"""``infraprep lab zerocopy``: JSON, table, --plot, bad input."""

import pytest


def test_json(cli):
    result = cli("lab", "zerocopy", "--json", "--size", "1MiB", "--reps", "1", "--no-torch")
    assert result.code == 0
    data = result.json()
    assert data["bytes"] == 2**20
    names = [t["name"] for t in data["transfers"]]
    assert names == ["pickle over a pipe", "shared memory + numpy view", "mmap'd file + numpy view",
                     "bytes(memoryview)", "memoryview[:]", "np.frombuffer"]
    assert data["memcpy_bytes_per_s"] > 0
    assert data["shm_vs_pickle"] == pytest.approx(data["transfers"][0]["seconds"] / data["transfers"][1]["seconds"])
    assert [t["shares_memory"] for t in data["transfers"]] == [False, True, True, False, True, True]


def test_table_and_plot(cli, tmp_path):
    out = tmp_path / "zc.svg"
    result = cli("lab", "zerocopy", "--size", "1MiB", "--reps", "1", "--no-torch", "--plot", str(out))
    assert result.code == 0
    assert "memcpy bandwidth on this machine" in result.out and "shared memory vs pickle" in result.out
    assert out.is_file() and "<svg" in out.read_text()


@pytest.mark.parametrize(("args", "message"), [
    (("--size", "12"), "--size='12 B' is not valid"),
    (("--size", "lots"), "Invalid value for '--size'"),
    (("--reps", "0"), "--reps=0 is not valid"),
    (("--plot", "out.txt"), "--plot='out.txt' is not valid"),
])
def test_bad_input(cli, args, message):
    result = cli("lab", "zerocopy", *args)
    assert result.code == 2 and message in result.err and "Traceback" not in result.err
