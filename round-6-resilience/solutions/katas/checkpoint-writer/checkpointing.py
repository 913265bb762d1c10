"""Optimum checkpoint intervals (Young 1974; Daly 2006) and a crash-safe file write."""

import math
import os
import tempfile


def young_interval(write_s, mtbf_s):
    # KATA-BEGIN: Young's first-order optimum sqrt(2·δ·M)
    if write_s <= 0 or mtbf_s <= 0:
        raise ValueError("write time and MTBF must be positive")
    return math.sqrt(2 * write_s * mtbf_s)
    # KATA-END


def daly_interval(write_s, mtbf_s):
    # KATA-BEGIN: Daly's higher-order optimum (δ < 2M), else M
    if write_s <= 0 or mtbf_s <= 0:
        raise ValueError("write time and MTBF must be positive")
    if write_s >= 2 * mtbf_s:
        return mtbf_s
    ratio = write_s / (2 * mtbf_s)
    return math.sqrt(2 * write_s * mtbf_s) * (1 + math.sqrt(ratio) / 3 + ratio / 9) - write_s
    # KATA-END


def atomic_write(path, data):
    """Replace ``path`` with ``data`` atomically: temp file, fsync, rename, fsync the directory."""
    # KATA-BEGIN: temp file in the same directory, fsync, rename over the target, fsync the directory
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    # KATA-END
