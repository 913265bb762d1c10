"""The README's matrix, competency checklist and quick start stay true to the code."""

from pathlib import Path

from infraprep.content.spine import COMPETENCIES, ROUNDS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_matrix_rows_match_the_rounds():
    for r in ROUNDS:
        assert f"| {r.number} | {r.focus} | {', '.join(r.courses)} | {r.minutes} min |" in README


def test_checklist_has_all_28_bilingual():
    for c in COMPETENCIES:
        assert f"- [ ] {c.zh} {c.en} (`{c.id}`)" in README
    assert README.count("- [ ] ") == 28


def test_quick_start_is_two_make_commands():
    block = README.split("## Quick start", 1)[1].split("```")[1]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]
    assert (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text().strip().endswith("make test")
