"""practice/review.py: FSRS scheduling of questions, drills and katas; grades from mock rubrics."""

from datetime import datetime, timedelta, timezone

from infraprep.practice.review import is_kata_card, is_question_card, kata_card, review, rubric_grade
from infraprep.store import Store
from infraprep.store.state import due_cards


def test_rubric_scores_map_to_review_grades():
    assert [rubric_grade(s) for s in (1, 2, 3, 4, 2.6, 3.5, 0, 9)] == [
        "again", "hard", "good", "easy", "good", "easy", "again", "easy"]


def test_card_kinds():
    assert is_question_card("r3-q01") and not is_question_card("r3.weight-bytes")
    assert is_kata_card(kata_card("spsc-queue")) and not is_question_card(kata_card("spsc-queue"))


def test_again_is_due_sooner_than_easy(tmp_path):
    now = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
    with Store(tmp_path / "s.db") as store:
        again = review(store, "r1-q01", "again", now)
        easy = review(store, "r1-q02", "easy", now)
        assert again < easy and again - now <= timedelta(hours=1) and easy - now >= timedelta(days=1)
        assert due_cards(store, (now + timedelta(hours=2)).timestamp()) == ["r1-q01"]
