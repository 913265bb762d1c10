"""Discrete-event and Monte Carlo simulators built on :mod:`infraprep.calc`."""
