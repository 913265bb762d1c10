"""The wheel carries the seven round folders, and an installed infraprep finds them without the checkout."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infraprep.content.spine import ROUNDS

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_content_and_works_without_checkout(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("infraprep-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for rnd in ROUNDS:
        assert f"infraprep/_content/{rnd.slug}/questions.md" in names
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "PYTHONPATH": str(target), "INFRAPREP_HOME": str(tmp_path / "ws")}
    env.pop("INFRAPREP_CONTENT", None)
    probe = "from infraprep.content import content_root, load_content; print(content_root()); print(len(load_content().questions))"
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
    root, count = out.stdout.split()
    assert Path(root) == target / "infraprep" / "_content"
    assert int(count) >= 28
    lint = subprocess.run([sys.executable, "-m", "infraprep", "lint"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stderr
