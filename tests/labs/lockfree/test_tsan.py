"""Reading ThreadSanitizer output (the format of its reports, written out by hand here)."""

from infraprep.labs.lockfree.tsan import parse_tsan

REPORT = """\
==================
WARNING: ThreadSanitizer: data race (pid=101)
  Read of size 8 at 0x7b6000000000 by thread T2:
    #0 try_pop /src/solutions/lockfree/spsc_ring.hpp:88 (stress+0x57c9)
  Previous write of size 8 at 0x7b6000000000 by thread T1:
    #0 try_push /src/solutions/lockfree/spsc_ring.hpp:72 (stress+0x4309)
SUMMARY: ThreadSanitizer: data race /src/solutions/lockfree/spsc_ring.hpp:88 in try_pop
==================
==================
WARNING: ThreadSanitizer: data race (pid=101)
SUMMARY: ThreadSanitizer: data race /src/solutions/lockfree/spsc_ring.hpp:88 in try_pop
==================
==================
WARNING: ThreadSanitizer: data race (pid=101)
SUMMARY: ThreadSanitizer: data race /src/treiber_stack.hpp:136 in try_push<void (&)()>
==================
ThreadSanitizer: reported 3 warnings
"""


def test_counts_reports_and_lists_distinct_sites():
    report = parse_tsan(REPORT)
    assert report.reports == 3
    assert report.kinds == ("data race",)
    assert report.sites == ("spsc_ring.hpp:88 in try_pop", "treiber_stack.hpp:136 in try_push")
    assert not report.clean


def test_no_output_is_clean():
    report = parse_tsan("")
    assert report.clean and report.reports == 0 and report.sites == ()
    assert report.to_dict() == {"reports": 0, "kinds": [], "sites": []}
