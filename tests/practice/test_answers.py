import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc import units
from infraprep.errors import InvalidValue
from infraprep.practice.answers import format_answer, parse_answer


@pytest.mark.parametrize(
    ("text", "dimension", "unit", "expected"),
    [
        ("14.2 GiB", "bytes", "", 14.2 * 2**30),
        ("14.2", "bytes", "GiB", 14.2 * 2**30),
        ("15.2 GB", "bytes", "GiB", 15.2e9),  # an explicit unit wins over the display unit
        ("3.1e21 FLOPs", "flops", "", 3.1e21),
        ("45%", "fraction", "", 0.45),
        ("0.45", "fraction", "", 0.45),
        ("2.3 ms", "seconds", "", 2.3e-3),
        ("2.3", "seconds", "ms", 2.3e-3),
        ("50 GB/s", "bandwidth", "", 50e9),
        ("400 Gbps", "bandwidth", "", 50e9),
        ("989 TFLOP/s", "flop_rate", "", 989e12),
        ("2.5x", "ratio", "", 2.5),
        ("295 FLOP/byte", "ratio", "", 295.0),
    ],
)
def test_parses_typed_answers(text, dimension, unit, expected):
    assert parse_answer(text, dimension, unit) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(("text", "dimension"), [("14.2 GiB", "seconds"), ("lots", "bytes"), ("2.3 parsecs", "seconds")])
def test_unreadable_answers_raise(text, dimension):
    with pytest.raises(InvalidValue):
        parse_answer(text, dimension)


magnitudes = st.floats(min_value=1e-6, max_value=1e22, allow_nan=False, allow_infinity=False)
BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "kB", "MB", "GB", "TB", "PB"]
TIME_UNITS = ["ns", "us", "ms", "s", "min", "h", "d"]
RATE_UNITS = ["B/s", "MB/s", "GB/s", "TB/s", "GiB/s"]


@given(magnitudes, st.sampled_from(BYTE_UNITS))
def test_bytes_printed_in_any_unit_parse_back(value, unit):
    printed = format_answer(value, "bytes", unit)  # e.g. "14.16 GiB", as a calculator prints it
    shown = float(printed.split()[0])
    assert math.isclose(parse_answer(printed, "bytes"), shown * units.parse_bytes("1" + unit), rel_tol=1e-12)
    assert math.isclose(parse_answer(printed, "bytes"), value, rel_tol=5e-4)  # 4 significant digits


@given(magnitudes, st.sampled_from(TIME_UNITS))
def test_durations_printed_in_any_unit_parse_back(value, unit):
    assert math.isclose(parse_answer(format_answer(value, "seconds", unit), "seconds"), value, rel_tol=5e-4)


@given(magnitudes, st.sampled_from(RATE_UNITS))
def test_bandwidths_printed_in_any_unit_parse_back(value, unit):
    assert math.isclose(parse_answer(format_answer(value, "bandwidth", unit), "bandwidth"), value, rel_tol=5e-4)


@given(magnitudes, st.sampled_from(["flops", "flop_rate", "count", "bytes", "seconds", "bandwidth"]))
def test_best_fit_formatting_parses_back(value, dimension):
    assert math.isclose(parse_answer(format_answer(value, dimension), dimension), value, rel_tol=5e-4)


@given(st.floats(0, 1))
def test_fractions_parse_back(value):
    assert math.isclose(parse_answer(format_answer(value, "fraction"), "fraction"), value, abs_tol=5e-5)
