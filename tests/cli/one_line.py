"""Shared assertion for the CLI contract on bad input: exit 2, one line on stderr naming the value."""


def assert_one_line_error(result, fragment: str) -> None:
    assert result.code == 2, (result.code, result.out, result.err)
    assert fragment in result.err, result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1, result.err
