"""``--plot`` writes a file in the format its extension names, and refuses others before any work."""

import pytest

from infraprep.errors import InvalidValue
from infraprep.labs.attention.io import io_table
from infraprep.labs.attention.plot import plot_io


def test_svg_written(tmp_path):
    path = plot_io(io_table(256, 64, [1024, 4096]), 256, 64, tmp_path / "io.svg")
    assert path.read_text().lstrip().startswith("<?xml")


def test_unknown_extension_refused(tmp_path):
    with pytest.raises(InvalidValue, match="--plot"):
        plot_io(io_table(256, 64, [1024]), 256, 64, tmp_path / "io.gif")
