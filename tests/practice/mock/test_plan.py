from collections import Counter

from infraprep.content.loader import load_content
from infraprep.practice.mock import plan_mock
from infraprep.store.attempts import Attempt

CONTENT = load_content()


def test_plan_is_seeded_and_has_a_prompt_and_a_numeric_item():
    plan = plan_mock(CONTENT, [], 3, seed=5)
    assert plan == plan_mock(CONTENT, [], 3, seed=5)
    assert plan[0]["kind"] == "question" and CONTENT.question(plan[0]["id"]).kind in ("design", "derivation")
    assert plan[-1]["kind"] == "drill"


def test_capstone_has_two_design_prompts():
    plan = plan_mock(CONTENT, [], 7, seed=1)
    questions = [CONTENT.question(i["id"]) for i in plan if i["kind"] == "question"]
    assert len(questions) == 2 and all(q.kind == "design" for q in questions)


def test_weak_and_unseen_competencies_are_picked_more_often():
    pool = [q for q in CONTENT.of_round(3) if q.kind in ("design", "derivation")]
    assert len(pool) >= 2
    mastered, weak = pool[0], pool[1]
    attempts = [Attempt("question", mastered.id, c, 3, 1.0, created_at=float(t))
                for t in range(5) for c in mastered.competencies]
    picks = Counter(plan_mock(CONTENT, attempts, 3, seed)[0]["id"] for seed in range(300))
    assert picks[weak.id] > 1.5 * picks[mastered.id]
