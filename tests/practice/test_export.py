import sqlite3
import zipfile

import pytest

from infraprep.content.loader import load_content
from infraprep.errors import InvalidValue
from infraprep.practice.drills.authored import authored_items
from infraprep.practice.export import cheatsheet_text, write_anki, write_cheatsheet


def guids(path, tmp_path):
    with zipfile.ZipFile(path) as z:  # a valid Anki package: a zip holding its SQLite collection
        z.extract("collection.anki2", tmp_path)
    conn = sqlite3.connect(tmp_path / "collection.anki2")
    rows = dict(conn.execute("SELECT guid, flds FROM notes").fetchall())
    conn.close()
    return rows


def test_anki_export_twice_gives_the_same_guids(tmp_path):
    content, drills = load_content(), authored_items()
    first = write_anki(content, drills, tmp_path / "a.apkg")
    second = write_anki(content, drills, tmp_path / "b.apkg")
    assert first == second == len(content.questions) + len(drills)
    a, b = guids(tmp_path / "a.apkg", tmp_path / "x"), guids(tmp_path / "b.apkg", tmp_path / "y")
    assert set(a) == set(b) and len(a) == first
    ids = {fields.split("\x1f")[0] for fields in a.values()}
    assert ids == {q.id for q in content.questions} | {d.id for d in drills}


def test_bad_file_names_are_rejected(tmp_path):
    with pytest.raises(InvalidValue, match=r"\.apkg"):
        write_anki(load_content(), [], tmp_path / "deck.zip")
    with pytest.raises(InvalidValue, match=r"\.md or \.html"):
        write_cheatsheet(load_content(), tmp_path / "sheet.pdf")


def test_cheatsheet_has_every_round_and_sheet(tmp_path):
    content = load_content()
    text = cheatsheet_text(content)
    for n in range(1, 8):
        assert f"## Round {n}:" in text
    html = write_cheatsheet(content, tmp_path / "c.html").read_text()
    assert html.startswith("<!doctype html>") and "<h2>Round 7:" in html
