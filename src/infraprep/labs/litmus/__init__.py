"""Litmus lab: message passing and store buffering under relaxed, acquire/release and seq_cst,
counted over millions of runs on this machine and judged against the C++ and x86-TSO models."""

from infraprep.labs.litmus.model import ORDERS, TESTS, LitmusTest, cpp_allows, x86_allows
from infraprep.labs.litmus.run import LitmusCell, LitmusReport, run_litmus

__all__ = ["ORDERS", "TESTS", "LitmusCell", "LitmusReport", "LitmusTest", "cpp_allows", "run_litmus", "x86_allows"]
