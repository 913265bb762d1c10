from pathlib import Path

from infraprep.content.drills import parse_drills
from infraprep.content.lint import lint

GOOD = """# Round 1 drills

## r1-d01 · Pick one

`r1.memory-order` · choice

Which?

- [ ] no
- [x] yes
- [ ] maybe

**Why:** because.

## r1-d02 · Order them

`r1.lockfree` · order

Order these.

1. first
2. second
3. third

**Why:** that is the order.
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "drills.md"
    path.write_text(text)
    return path


def test_parses_choice_and_order(tmp_path):
    items, problems = parse_drills(write(tmp_path, GOOD))
    assert problems == []
    choice, order = items
    assert (choice.id, choice.kind, choice.items, choice.answer) == ("r1-d01", "choice", ("no", "yes", "maybe"), 1)
    assert (order.kind, order.items, order.why) == ("order", ("first", "second", "third"), "that is the order.")


def test_defects(tmp_path):
    cases = {
        GOOD.replace("- [ ] maybe\n", ""): "r1-d01: a choice item needs ≥ 3 options with exactly one [x]",
        GOOD.replace("- [ ] no", "- [x] no"): "r1-d01: a choice item needs ≥ 3 options with exactly one [x]",
        GOOD.replace("3. third\n", ""): "r1-d02: an order item needs ≥ 3 numbered steps",
        GOOD.replace("**Why:** because.\n", ""): "r1-d01: '**Why:**' explanation missing",
        GOOD.replace("· choice", "· essay"): "r1-d01: kind 'essay' is not one of choice, order",
        GOOD.replace("## r1-d01 · Pick one", "## d01 Pick one"): "drill heading must read '## rN-dNN · Title'",
    }
    for text, message in cases.items():
        _, problems = parse_drills(write(tmp_path, text))
        assert [p.message for p in problems] == [message]


def test_repository_drills_lint_clean():
    assert [p for p in lint() if p.path.name == "drills.md"] == []
