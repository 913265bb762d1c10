import pytest

from infraprep.practice.drills.grading import grade
from infraprep.practice.drills.model import Drill

NUMERIC = Drill("How big?", "bytes", expected=100 * 2**30, unit="GiB", tolerance=0.02, explain="derivation",
                template="t", competency="r3.memory-formula")


@pytest.mark.parametrize(
    ("answer", "verdict", "score"),
    [
        ("100 GiB", "correct", 1.0),
        ("101.9", "correct", 1.0),  # bare number in GiB, within 2%
        ("103 GiB", "close", 0.5),  # within 2 x tolerance
        ("107.4 GB", "correct", 1.0),  # 107.4e9 B is 100.03 GiB
        ("100 GB", "wrong", 0.0),  # 100e9 B is 93.1 GiB: the GB/GiB slip
        ("a lot", "unreadable", 0.0),
    ],
)
def test_numeric_verdicts(answer, verdict, score):
    result = grade(NUMERIC, answer)
    assert (result.verdict, result.score) == (verdict, score)
    assert result.expected_text == "100 GiB"


def test_wrong_answer_message_states_expected_tolerance_and_error():
    result = grade(NUMERIC, "50 GiB")
    assert result.message == "wrong: expected 100 GiB (±2%); you gave 50 GiB, off by 50.0%"
    assert result.to_dict()["explain"] == "derivation"
    assert grade(NUMERIC, "100 GiB").to_dict()["explain"] == ""


CHOICE = Drill("Pick", "choice", expected=2, choices=("x", "y", "z"), template="c", competency="r1.lockfree")


@pytest.mark.parametrize(("answer", "verdict"), [("c", "correct"), ("C)", "correct"), ("3", "correct"), ("a", "wrong"),
                                                 ("q", "unreadable"), ("7", "unreadable")])
def test_choice(answer, verdict):
    assert grade(CHOICE, answer).verdict == verdict


ORDER = Drill("Order", "order", choices=("s2", "s4", "s1", "s3"), order=(2, 0, 3, 1), template="o",
              competency="r1.lockfree")


@pytest.mark.parametrize(
    ("answer", "verdict", "score"),
    [("c a d b", "correct", 1.0), ("3,1,4,2", "correct", 1.0), ("a c d b", "close", 0.5), ("b d a c", "wrong", 0.0),
     ("c a d", "unreadable", 0.0), ("c a d d", "unreadable", 0.0)],
)
def test_order(answer, verdict, score):
    result = grade(ORDER, answer)
    assert (result.verdict, result.score) == (verdict, score)
