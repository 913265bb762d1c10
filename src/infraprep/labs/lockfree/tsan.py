"""Read ThreadSanitizer's reports out of a program's stderr.

Each report opens with ``WARNING: ThreadSanitizer: <kind> (pid=N)`` and closes with a one-line
``SUMMARY: ThreadSanitizer: <kind> <file>:<line> in <function>`` naming the first frame of the
racing access. TSan exits with status 66 when it reported anything (its ``exitcode`` option).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["TSAN_EXIT_CODE", "TsanReport", "parse_tsan"]

TSAN_EXIT_CODE = 66

_WARNING = re.compile(r"^WARNING: ThreadSanitizer: (?P<kind>.+?) \(pid=\d+\)", re.MULTILINE)
_SUMMARY = re.compile(r"^SUMMARY: ThreadSanitizer: (?P<kind>[a-z -]+?) (?P<file>\S+?):(?P<line>\d+) in (?P<func>.+?)\s*$",
                      re.MULTILINE)


@dataclass(frozen=True)
class TsanReport:
    """The reports in one run: how many, and the distinct sites (``file:line in function``)."""

    reports: int
    kinds: tuple[str, ...]
    sites: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return self.reports == 0

    def to_dict(self) -> dict:
        return {"reports": self.reports, "kinds": list(self.kinds), "sites": list(self.sites)}


def parse_tsan(stderr: str) -> TsanReport:
    """Count the reports in ``stderr`` and list the sites: file names without folders, functions
    without template arguments (``treiber_stack.hpp:136 in try_push``)."""
    kinds = tuple(dict.fromkeys(m["kind"] for m in _WARNING.finditer(stderr)))
    sites = tuple(dict.fromkeys(
        f"{m['file'].rsplit('/', 1)[-1]}:{m['line']} in {m['func'].split('<', 1)[0]}" for m in _SUMMARY.finditer(stderr)
    ))
    return TsanReport(len(_WARNING.findall(stderr)), kinds, sites)
