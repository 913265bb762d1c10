from infraprep.labs.steps import Steps


def test_reports_each_step_then_done():
    heard = []
    step = Steps(3, lambda label, done, total: heard.append((label, done, total)))
    for label in ("a", "b", "c"):
        step(label)
    step.finish()
    assert heard == [("a", 0, 3), ("b", 1, 3), ("c", 2, 3), ("done", 3, 3)]


def test_an_overrun_never_reports_past_the_total():
    heard = []
    step = Steps(1, lambda label, done, total: heard.append(done))
    step("a")
    step("b")
    assert heard == [0, 1]


def test_without_a_listener_it_only_counts():
    step = Steps(2)
    step("a")
    step.finish()
    assert step.done == 1
