import os
import platform

from infraprep.labs.machine import describe_machine


def test_describes_this_machine():
    m = describe_machine()
    assert m.arch == platform.machine()
    assert m.cpus_usable == len(os.sched_getaffinity(0))
    assert m.load_1min >= 0
    assert m.cpu and str(m.cpus_usable) in m.line()
    assert set(m.to_dict()) == {"cpu", "arch", "cpus_usable", "load_1min"}
