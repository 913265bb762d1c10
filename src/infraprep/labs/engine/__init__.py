"""A tiny real serving engine in torch: paged attention through block tables, continuous batching and
prefix caching on the shared serving core (:mod:`infraprep.sim.serving`), checked token for token
against a dense reference. Imports torch: never import this package at CLI start-up."""

from infraprep.labs.engine.engine import EngineRequest, EngineStats, PagedEngine, dense_generate
from infraprep.labs.engine.model import TinyConfig, TinyTransformer

__all__ = ["EngineRequest", "EngineStats", "PagedEngine", "TinyConfig", "TinyTransformer", "dense_generate"]
