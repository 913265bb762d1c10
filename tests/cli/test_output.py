"""``print_table``: figures and ids are never cut; a table too wide for the terminal turns compact first."""

from rich.table import Table

from infraprep.cli.output import console, print_table


def _table() -> Table:
    table = Table("accelerator name", "dense bf16 throughput per second", "why it is in the catalogue at all")
    table.add_row("h100-sxm", "989,400,000,000,000", "the workhorse of 2023-2025 training clusters, per its datasheet")
    table.add_row("mi300x", "1,307,400,000,000,000", "AMD's answer, with more HBM per package")
    return table


def test_narrow_terminal_keeps_every_figure_whole_and_drops_the_outer_edges(monkeypatch, capsys):
    monkeypatch.setattr(console, "width", 60)
    print_table(_table())
    out = capsys.readouterr().out
    for figure in ("h100-sxm", "989,400,000,000,000", "mi300x", "1,307,400,000,000,000"):
        assert figure in out
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 60
    assert "┃" not in out and "│" not in out  # compact style: a rule under the header, no column edges


def test_a_table_that_fits_keeps_its_box(monkeypatch, capsys):
    monkeypatch.setattr(console, "width", 200)
    print_table(_table())
    out = capsys.readouterr().out
    assert "┃ accelerator name" in out and "│ h100-sxm" in out
