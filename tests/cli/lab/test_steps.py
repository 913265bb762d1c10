from infraprep.cli.lab.steps import step_progress


def test_disabled_yields_no_listener():
    with step_progress("x", enabled=False) as on_step:
        assert on_step is None


def test_bar_goes_to_stderr_only(capsys):
    with step_progress("lab") as on_step:
        on_step("first", 0, 2)
        on_step("second", 1, 2)
        on_step("done", 2, 2)
    captured = capsys.readouterr()
    assert captured.out == ""


def test_no_step_no_output(capsys):
    with step_progress("lab"):
        pass
    assert capsys.readouterr().err == ""
