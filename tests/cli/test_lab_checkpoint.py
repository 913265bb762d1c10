"""``lab checkpoint`` through the CLI: a small run end to end, JSON shape, one-line errors."""

import pytest

pytest.importorskip("torch")

from tests.cli.one_line import assert_one_line_error

SMALL = ("lab", "checkpoint", "--steps", "60", "--kills", "3", "--stall-width", "64", "--stall-depth", "2",
         "--repeats", "1", "--local-every", "10", "--remote-every", "20")


def test_small_run_json(cli, tmp_path):
    r = cli(*SMALL, "--dir", str(tmp_path), "--json")
    assert r.code == 0, r.err
    d = r.json()
    assert d["crash_drill"]["kills"] >= 3 and d["crash_drill"]["all_identical"]
    assert d["corruption"]["consistent"] and d["corruption"]["skipped"][0]["step"] == 60
    assert d["soft_faults"]["identical"] and d["soft_faults"]["levels"] == [0]
    assert 0 < d["stall"]["async_to_sync_ratio"]
    assert (tmp_path / "reference" / "local").is_dir()  # --dir keeps the checkpoints


def test_table_without_crash_drill(cli):
    r = cli(*SMALL[:5], "0", *SMALL[6:])
    assert r.code == 0, r.err
    assert "async ÷ sync" in r.out and "soft faults" in r.out and "SIGKILL" not in r.out


@pytest.mark.parametrize("args, fragment", [
    (("--steps", "5"), "--steps"),
    (("--kills", "-1"), "--kills"),
    (("--width", "0"), "--width"),
    (("--remote-bandwidth", "fast"), "--remote-bandwidth"),
])
def test_bad_input(cli, args, fragment):
    assert_one_line_error(cli("lab", "checkpoint", *args), fragment)
