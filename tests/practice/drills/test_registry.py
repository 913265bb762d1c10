"""Every template generates valid, reproducible drills whose expected answer grades as correct."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infraprep.content.spine import COMPETENCY_IDS
from infraprep.errors import UnknownName
from infraprep.practice.answers import format_answer
from infraprep.practice.drills import all_templates, choose, generate, grade, select_templates

TEMPLATES = all_templates()


def test_templates_use_known_competencies_and_cover_rounds():
    assert all(t.competency in COMPETENCY_IDS for t in TEMPLATES)
    assert {t.round for t in TEMPLATES} == {1, 2, 3, 4, 5, 6, 7}


@pytest.mark.parametrize("tpl", TEMPLATES, ids=lambda t: t.id)
@given(seed=st.integers(0, 2**30))
@settings(max_examples=15, deadline=None)
def test_generated_drills_are_valid_and_reproducible(tpl, seed):
    drill = generate(tpl.id, seed)
    assert drill == generate(tpl.id, seed)
    assert drill.prompt and drill.competency == tpl.competency and drill.item_id == f"{tpl.id}#{seed}"
    if drill.dimension == "choice":
        right = "abcdefghij"[int(drill.expected)]
        assert grade(drill, right).correct
        assert sorted(drill.choices) == sorted(set(drill.choices))
    elif drill.dimension == "order":
        assert sorted(drill.order) == list(range(len(drill.choices)))
        assert grade(drill, " ".join("abcdefghij"[i] for i in drill.order)).correct
    else:
        assert drill.expected > 0 and drill.explain and 0 < drill.tolerance < 0.2
        # the expected value as a calculator prints it (4 significant digits) grades as correct
        assert grade(drill, format_answer(drill.expected, drill.dimension, drill.unit)).correct
        assert not grade(drill, format_answer(drill.expected * 1.5, drill.dimension, drill.unit)).correct


def test_choose_spreads_across_competencies_and_is_seeded():
    templates = select_templates(round_number=1)
    drills = choose(templates, 4, seed=3)
    assert len({d.competency for d in drills}) == min(4, len({t.competency for t in templates}))
    assert drills == choose(templates, 4, seed=3)
    assert drills != choose(templates, 4, seed=4)


def test_filters_are_validated():
    assert {t.competency for t in select_templates(competency="r1.memory-order")} == {"r1.memory-order"}
    with pytest.raises(UnknownName, match="did you mean r1.memory-order"):
        select_templates(competency="r1.memory-ordr")
    with pytest.raises(UnknownName):
        select_templates(round_number=9)
    with pytest.raises(UnknownName):
        generate("nope", 1)
