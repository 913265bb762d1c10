from hypothesis import given
from hypothesis import strategies as st

from infraprep.practice.progress import (
    MIN_ATTEMPTS,
    MIN_KINDS,
    THRESHOLD,
    WINDOW,
    competency_progress,
    sync_readme,
)
from infraprep.practice.workspace import readme_text
from infraprep.store.attempts import ATTEMPT_KINDS, Attempt


def attempt(kind, score, t, cid="r3.memory-formula"):
    return Attempt(kind, f"{kind}-{t}", cid, int(cid[1]), score, created_at=float(t))


def of(attempts, cid="r3.memory-formula"):
    return next(p for p in competency_progress(attempts) if p.competency.id == cid)


def test_mastery_needs_two_kinds_and_the_threshold():
    assert not of([attempt("drill", 1.0, t) for t in range(5)]).mastered  # one kind only
    mixed = [attempt("drill", 1.0, 0), attempt("question", 0.8, 1), attempt("drill", 0.8, 2)]
    assert of(mixed).mastered and abs(of(mixed).score - 2.6 / 3) < 1e-12
    assert not of(mixed[:2]).mastered  # too few attempts


def test_mastery_is_lost_when_new_attempts_are_poor():
    good = [attempt("drill", 1.0, 0), attempt("question", 1.0, 1), attempt("drill", 1.0, 2)]
    poor = [attempt("drill", 0.0, t) for t in range(3, 6)]
    assert of(good).mastered
    assert not of(good + poor).mastered  # window: 1.0, 1.0, 0, 0, 0 -> 0.4


def test_ungraded_attempts_count_but_do_not_score():
    p = of([attempt("kata", None, 0), attempt("drill", 0.5, 1)])
    assert p.attempts == 2 and p.score == 0.5 and p.by_kind == {"kata": 1, "drill": 1}


@given(st.lists(st.tuples(st.sampled_from(ATTEMPT_KINDS), st.one_of(st.none(), st.floats(0, 1))), max_size=12))
def test_mastered_means_the_rule_holds(items):
    attempts = [attempt(kind, score, t) for t, (kind, score) in enumerate(items)]
    p = of(attempts)
    graded = [a for a in attempts if a.score is not None][-WINDOW:]
    expected = (
        len(graded) >= MIN_ATTEMPTS
        and sum(a.score for a in graded) / len(graded) >= THRESHOLD
        and len({a.kind for a in graded}) >= MIN_KINDS
    )
    assert p.mastered == expected


def test_readme_ticks_and_unticks_only_checkbox_lines(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(readme_text() + "\nMy notes: - [ ] not a competency line\n")
    assert sync_readme(readme, {"r1.lockfree", "r7.mfu"}) == ["r1.lockfree", "r7.mfu"]
    text = readme.read_text()
    assert "- [x] 无锁并发数据结构 Lock-free data structures (`r1.lockfree`)" in text
    assert text.count("- [x]") == 2 and "My notes: - [ ] not a competency line" in text
    assert sync_readme(readme, {"r7.mfu"}) == ["r1.lockfree"]
    assert readme.read_text().count("- [x]") == 1
    assert sync_readme(readme, {"r7.mfu"}) == []

