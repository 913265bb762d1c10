"""The linter on a fixture tree: clean as built, and each defect class caught with file:line."""

from pathlib import Path

import pytest

from infraprep.content.lint import lint
from infraprep.content.spine import ROUNDS, competencies_of

ANSWER = "# answer\n\n" + " ".join(["word"] * 60) + "\n"


def _question(qid: str, cid: str) -> str:
    return (
        f"## {qid} · Question about {cid}\n\n`{cid}` · difficulty 1 · concept\n\nExplain {cid}.\n\n"
        f"**Hints**\n\n1. think\n\n**Answer:** [solutions/{qid}.md](solutions/{qid}.md)\n\n"
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rnd in ROUNDS:
        folder = tmp_path / rnd.slug
        for name in ("solutions", "whiteboard", "mock-interviews"):
            (folder / name).mkdir(parents=True)
        text = f"# Round {rnd.number}\n\n"
        for k, comp in enumerate(competencies_of(rnd.number), 1):
            qid = f"r{rnd.number}-q{k:02d}"
            text += _question(qid, comp.id)
            (folder / "solutions" / f"{qid}.md").write_text(ANSWER)
        (folder / "questions.md").write_text(text)
        rubric = "# Rubric\n\n" + "".join(
            f"## {c.id} · name\n\n1. poor\n2. partial\n3. good\n4. excellent\n\n" for c in competencies_of(rnd.number)
        )
        (folder / "mock-interviews" / "rubric.md").write_text(rubric)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def problems(root):
    return [f"{p.path.relative_to(root)}:{p.line}: {p.message}" for p in lint(root)]


def test_fixture_tree_is_clean(tree):
    assert problems(tree) == []


def test_unknown_competency_id(tree):
    edit(tree / "round-1-systems-coding/questions.md", "`r1.zero-copy` ·", "`r1.zero-copy` `r1.zerocopy` ·")
    assert problems(tree) == [
        "round-1-systems-coding/questions.md:29: r1-q03: unknown competency id 'r1.zerocopy'; did you mean r1.zero-copy?"
    ]


def test_duplicate_ids(tree):
    edit(tree / "round-2-gpu-kernel/questions.md", "## r2-q02 ·", "## r2-q01 ·")
    edit(tree / "round-2-gpu-kernel/questions.md", "[solutions/r2-q02.md]", "[solutions/r2-q01.md]")
    assert problems(tree) == [
        "round-2-gpu-kernel/questions.md:3: r2-q01: duplicate question id (2 questions use it)",
        "round-2-gpu-kernel/questions.md:15: r2-q01: duplicate question id (2 questions use it)",
    ]


def test_id_of_another_round(tree):
    edit(tree / "round-4-networking/questions.md", "## r4-q01 ·", "## r5-q09 ·")
    assert problems(tree) == ["round-4-networking/questions.md:3: r5-q09: id says round 5 but the file is round 4"]


def test_missing_and_empty_answers(tree):
    folder = tree / "round-5-inference"
    edit(folder / "questions.md", "**Answer:** [solutions/r5-q01.md](solutions/r5-q01.md)\n", "")
    (folder / "solutions/r5-q02.md").unlink()
    (folder / "solutions/r5-q03.md").write_text("# r5-q03\n\n## Heading only\n")
    assert problems(tree) == [
        "round-5-inference/questions.md:3: r5-q01: no model answer ('**Answer:** [..](solutions/...)' missing)",
        "round-5-inference/questions.md:14: r5-q02: answer file solutions/r5-q02.md does not exist",
        "round-5-inference/questions.md:24: broken link: solutions/r5-q02.md",
        "round-5-inference/solutions/r5-q03.md:1: r5-q03: answer has 0 words; a model answer needs at least 40",
    ]


def test_broken_links_in_any_round_markdown(tree):
    (tree / "round-6-resilience/whiteboard/sheet.md").write_text(
        "# Sheet\n\nSee [the bank](../questions.md), [web](https://example.com), [gone](diagrams/x.svg#top).\n"
    )
    assert problems(tree) == ["round-6-resilience/whiteboard/sheet.md:3: broken link: diagrams/x.svg#top"]


def test_missing_hints(tree):
    edit(tree / "round-7-capstone/questions.md", "**Hints**\n\n1. think\n\n", "")
    assert problems(tree) == ["round-7-capstone/questions.md:3: r7-q01: no hints (add a '**Hints**' list)"]


def test_coverage_and_missing_structure(tree):
    folder = tree / "round-3-distributed-training"
    text = (folder / "questions.md").read_text()
    (folder / "questions.md").write_text(text.split("## r3-q04")[0])
    (folder / "whiteboard").rmdir()
    assert problems(tree) == [
        "round-3-distributed-training/questions.md:1: coverage: competency r3.dualpipe has 0 question(s), needs at least 1",
        "round-3-distributed-training/questions.md:1: round folder lacks whiteboard/",
    ]
    assert len(lint(tree, min_per_competency=2)) == 1 + 28


def test_parse_errors_are_lint_errors(tree):
    edit(tree / "round-1-systems-coding/questions.md", "difficulty 1 · concept", "difficulty one · concept")
    assert problems(tree) == [
        "round-1-systems-coding/questions.md:1: coverage: competency r1.lockfree has 0 question(s), needs at least 1",
        "round-1-systems-coding/questions.md:5: r1-q01: difficulty must be 1, 2 or 3, got 'difficulty one'"
    ]


def test_rubric_defects(tree):
    path = tree / "round-6-resilience/mock-interviews/rubric.md"
    edit(path, "## r6.mtbf · name\n\n1. poor\n2. partial\n3. good\n4. excellent\n", "## r6.mtbf · name\n\n1. poor\n")
    edit(path, "## r6.gang-scheduling", "## r5.kv-growth")
    assert problems(tree) == [
        "round-6-resilience/mock-interviews/rubric.md:1: rubric has no section for r6.gang-scheduling",
        "round-6-resilience/mock-interviews/rubric.md:3: r5.kv-growth is not a competency of round 6",
        "round-6-resilience/mock-interviews/rubric.md:24: r6.mtbf: needs 4 anchors (1-4), found 1",
    ]
