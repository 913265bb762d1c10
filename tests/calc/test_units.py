import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infraprep.calc import units
from infraprep.errors import InvalidValue


@pytest.mark.parametrize(
    ("parse", "text", "expected"),
    [
        (units.parse_count, "70B", 70e9),
        (units.parse_count, "7.5e9", 7.5e9),
        (units.parse_count, "16k", 16e3),
        (units.parse_count, "1.5T", 1.5e12),
        (units.parse_bytes, "16GiB", 16 * 2**30),
        (units.parse_bytes, "80GB", 80e9),
        (units.parse_bytes, "64KiB", 65536),
        (units.parse_bytes, "1e9", 1e9),
        (units.parse_bandwidth, "400Gbps", 50e9),
        (units.parse_bandwidth, "400Gb/s", 50e9),
        (units.parse_bandwidth, "3.35TB/s", 3.35e12),
        (units.parse_bandwidth, "900GiB/s", 900 * 2**30),
        (units.parse_seconds, "2.3ms", 2.3e-3),
        (units.parse_seconds, "5us", 5e-6),
        (units.parse_seconds, "10min", 600),
        (units.parse_seconds, "54d", 54 * 86400),
        (units.parse_flops, "3.1e21", 3.1e21),
        (units.parse_flops, "6EFLOPs", 6e18),
        (units.parse_flop_rate, "989TFLOPS", 989e12),
        (units.parse_flop_rate, "1.98 PFLOP/s", 1.98e15),
        (units.parse_fraction, "45%", 0.45),
        (units.parse_fraction, "0.45", 0.45),
    ],
)
def test_parses_human_quantities(parse, text, expected):
    assert parse(text) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (units.parse_bytes, "16Gib"),  # bits are not a size
        (units.parse_bytes, "70B params"),
        (units.parse_count, "16GiB"),
        (units.parse_bandwidth, "400G"),
        (units.parse_seconds, "3 fortnights"),
        (units.parse_fraction, "120%"),
        (units.parse_bytes, "-1GB"),
        (units.parse_count, "nan"),
        (units.parse_count, ""),
    ],
)
def test_rejects_with_a_clear_message(parse, text):
    with pytest.raises(InvalidValue, match="expected"):
        parse(text, "--x")


def test_decimal_and_binary_are_never_confused():
    assert units.parse_bytes("1GB") != units.parse_bytes("1GiB")
    assert units.format_bytes(120e9, binary=False) == "120 GB"
    assert units.format_bytes(120e9) == "111.8 GiB"


positive = st.floats(min_value=1e-3, max_value=1e20, allow_nan=False, allow_infinity=False)


@given(positive)
def test_formatted_bytes_parse_back(n):
    text = units.format_bytes(n, digits=12).replace(" ", "")
    assert math.isclose(units.parse_bytes(text), n, rel_tol=1e-9)
    text = units.format_bytes(n, binary=False, digits=12).replace(" ", "")
    assert math.isclose(units.parse_bytes(text), n, rel_tol=1e-9)


@given(positive)
def test_formatted_rates_and_times_parse_back(x):
    assert math.isclose(units.parse_bandwidth(units.format_bandwidth(x, 12).replace(" ", "")), x, rel_tol=1e-9)
    assert math.isclose(units.parse_flop_rate(units.format_flops(x, rate=True, digits=12).replace(" ", "")), x, rel_tol=1e-9)
    assert math.isclose(units.parse_seconds(units.format_seconds(x, 12).replace(" ", "").replace("µs", "us")), x, rel_tol=1e-9)
