"""Committed whiteboard diagrams are current: regenerating them gives the same bytes."""

from infraprep.diagrams.__main__ import main
from infraprep.diagrams.registry import load


def test_every_diagram_regenerates_byte_identically(capsys):
    assert load(), "no diagrams registered"
    code = main(["--check"])
    assert code == 0, capsys.readouterr().err


def test_unknown_names_are_rejected(capsys):
    assert main(["--check", "no-such-diagram"]) == 2
    assert "unknown diagram(s): no-such-diagram" in capsys.readouterr().err
