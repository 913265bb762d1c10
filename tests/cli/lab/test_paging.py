"""``infraprep lab paging``: JSON, table, plot, errors."""

from tests.cli.one_line import assert_one_line_error


def test_json_table_and_plot(cli, tmp_path):
    r = cli("lab", "paging", "--requests", "120", "--block-sizes", "4,64", "--json")
    assert r.code == 0 and r.err == ""
    data = r.json()
    assert [a["allocator"] for a in data["allocators"]] == ["max-length", "pow2", "oracle", "paged-4", "paged-64"]
    assert data["walkthrough"][4]["copies"] == [[2, 3]]
    out = tmp_path / "bars.png"
    table = cli("lab", "paging", "--requests", "120", "--plot", str(out))
    assert table.code == 0 and "external" in table.out and "TLB" in table.out and "copy-on-write" in table.out
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_errors(cli):
    for args, needle in ((("--block-sizes", "16,x"), "--block-sizes"), (("--capacity", "100"), "--capacity=100"),
                         (("--rate", "0"), "--rate=0"), (("--plot", "a.gif"), ".svg or .png")):
        assert_one_line_error(cli("lab", "paging", "--requests", "50", *args), needle)


def test_same_seed_same_trace(cli):
    runs = [cli("lab", "paging", "--requests", "80", "--seed", seed, "--json").json()["allocators"] for seed in "112"]
    assert runs[0] == runs[1] != runs[2]
