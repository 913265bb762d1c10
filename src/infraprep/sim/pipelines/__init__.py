"""Redundant pipeline templates: Oobleck-style re-instantiation vs checkpoint-restart vs Bamboo-style
redundant computation, goodput across failure rates."""

from infraprep.sim.pipelines.strategies import (
    Progress,
    StrategyResult,
    bamboo,
    checkpoint_restart,
    node_events,
    oobleck,
)
from infraprep.sim.pipelines.study import PipelineStudy, run_study
from infraprep.sim.pipelines.templates import Instantiation, Template, build_templates, instantiate, partition

__all__ = [
    "Instantiation",
    "PipelineStudy",
    "Progress",
    "StrategyResult",
    "Template",
    "bamboo",
    "build_templates",
    "checkpoint_restart",
    "instantiate",
    "node_events",
    "oobleck",
    "partition",
    "run_study",
]
