"""The model tables obey the laws of the models they encode."""

import pytest

from infraprep.labs.litmus import ORDERS, TESTS, cpp_allows, x86_allows


@pytest.mark.parametrize("test", list(TESTS))
def test_stronger_orders_never_allow_more(test):
    for weaker, stronger in zip(ORDERS[:-1], ORDERS[1:], strict=True):
        assert cpp_allows(test, stronger) <= cpp_allows(test, weaker)
        assert x86_allows(test, stronger) <= x86_allows(test, weaker)


@pytest.mark.parametrize("test", list(TESTS))
def test_seq_cst_forbids_every_non_sc_outcome(test):
    assert not cpp_allows(test, "seq_cst")


@pytest.mark.parametrize("test", list(TESTS))
@pytest.mark.parametrize("order", ORDERS)
def test_hardware_shows_nothing_the_language_forbids(test, order):
    # a correct compiler mapping can only narrow what C++ allows
    assert x86_allows(test, order) <= cpp_allows(test, order)


def test_the_textbook_cases():
    # C++17 [atomics.order]: release/acquire orders MP but not SB; x86-TSO (Owens et al. 2009)
    # shows SB with plain MOVs and never shows MP.
    assert cpp_allows("sb", "acq_rel") and not cpp_allows("mp", "acq_rel")
    assert x86_allows("sb", "acq_rel") and not x86_allows("mp", "relaxed")
    assert TESTS["sb"].forbidden == "00" and TESTS["mp"].forbidden == "10"
