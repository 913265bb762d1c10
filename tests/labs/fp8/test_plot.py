"""``lab fp8 --plot`` draws the roofline."""

from infraprep.labs.fp8.plot import plot_roofline
from infraprep.labs.fp8.roofline import fp8_table


def test_png_written(tmp_path):
    path = plot_roofline([r.to_dict() for r in fp8_table(ms=(1, 1024))], tmp_path / "roof.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
