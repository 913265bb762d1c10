"""Verdicts: pass, normalised max error and tolerance; non-finite or misshapen output fails."""

from infraprep.labs.verdict import Verdict, compare


def test_compare_normalises_by_the_largest_expected_magnitude():
    v = compare([1.0, 2.0, 4.0], [1.0, 2.0, 4.5], tolerance=0.2)
    assert v.passed and v.max_error == 0.5 / 4.5


def test_non_finite_output_fails_with_infinite_error():
    v = compare([float("nan")], [1.0], tolerance=1.0)
    assert not v.passed and v.max_error == float("inf")


def test_shape_mismatch_fails():
    assert not compare([1.0, 2.0], [1.0], tolerance=1.0).passed


def test_verdict_text_names_the_numbers():
    assert str(Verdict(False, 0.25, 1e-5, "k")) == "k: FAIL (max error 0.25, tolerance 1e-05)"
