"""`calc hardware`'s table: one row per accelerator, units in the headers, whole at 80 columns."""

import pytest

from infraprep.calc.hardware import ACCELERATORS


@pytest.mark.parametrize("width", [80, 160])
def test_the_catalogue_fits_the_terminal_with_every_name_and_figure_whole(cli, monkeypatch, width):
    from infraprep.cli.output import console

    monkeypatch.setattr(console, "width", width)
    out = cli("calc", "hardware").out
    assert "…" not in out and max(len(line.rstrip()) for line in out.splitlines()) <= width
    cells = [line.replace("│", " ").split() for line in out.splitlines()]
    rows = {row[0]: row[1:] for row in cells if row and row[0] in ACCELERATORS}
    assert set(rows) == set(ACCELERATORS) and all(len(row) == 8 for row in rows.values())
    h100 = rows["h100-sxm"]
    data = cli("calc", "hardware", "h100-sxm", "--json").json()
    # the cells are the JSON figures in the headers' units (TFLOP/s, GB, TB/s, FLOP/B, GB/s, W)
    assert h100[0] == f"{data['dense_flops']['bf16'] / 1e12:,.4g}" and h100[2] == f"{data['hbm_bytes'] / 1e9:,.4g}"
    assert h100[3] == f"{data['hbm_bandwidth'] / 1e12:,.4g}"
