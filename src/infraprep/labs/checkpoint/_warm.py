"""Imported once by the fault drill's fork server so that every forked trainer starts warm.

torch imports ``torch._dynamo`` lazily on the first optimizer step (seconds); doing it here, before
the fork, makes a trainer start in milliseconds. Nothing is computed here, so no thread pool exists
to be broken by fork().
"""

import torch  # noqa: F401
import torch._dynamo  # noqa: F401
import torch.optim  # noqa: F401

import infraprep.labs.checkpoint.trainer  # noqa: F401
