"""The one fork server the labs share.

A process has a single ``forkserver`` server, and whichever lab starts it first decides what it has
imported before forking; a later lab's ``set_forkserver_preload`` is silently ignored. So every lab
asks for the same preload: the union of the labs' warm-up modules. Each is import-only (no torch op,
no thread pool), which is what keeps forking from the server safe, and a child then starts in
milliseconds instead of importing torch (and torch._dynamo, on the first optimizer step) itself.
"""

from __future__ import annotations

import multiprocessing

__all__ = ["WARM_MODULES", "forkserver_context"]

WARM_MODULES = ["infraprep.labs.trainer.worker", "infraprep.labs.checkpoint._warm"]


def forkserver_context():
    """The ``forkserver`` multiprocessing context with the shared preload set (before first use)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(WARM_MODULES)
    return ctx
