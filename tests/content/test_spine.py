import re

import pytest

from infraprep.content.spine import COMPETENCIES, ROUNDS, competencies_of, get_competency, get_round
from infraprep.errors import UnknownName


def test_seven_rounds_match_the_seed_matrix():
    assert [r.number for r in ROUNDS] == [1, 2, 3, 4, 5, 6, 7]
    assert [r.minutes for r in ROUNDS] == [60] * 6 + [90]
    assert ROUNDS[1].courses == ("SYS-601", "SYS-604")
    assert all(r.slug.startswith(f"round-{r.number}-") for r in ROUNDS)


def test_twenty_eight_competencies_four_per_round():
    assert len(COMPETENCIES) == 28
    assert len({c.id for c in COMPETENCIES}) == 28
    for r in ROUNDS:
        comps = competencies_of(r.number)
        assert len(comps) == 4
        assert all(re.fullmatch(rf"r{r.number}\.[a-z0-9-]+", c.id) for c in comps)
        assert all(c.zh and c.en for c in comps)


def test_lookup_by_number_or_slug():
    assert get_round("3") is get_round("round-3-distributed-training") is ROUNDS[2]
    assert get_competency("r7.mfu").round == 7


def test_unknown_names_suggest_the_nearest():
    with pytest.raises(UnknownName, match=r"did you mean r3\.memory-formula"):
        get_competency("r3.memory-formla")
    with pytest.raises(UnknownName, match=r"valid: 1, 2, 3, 4, 5, 6, 7"):
        get_round(8)
