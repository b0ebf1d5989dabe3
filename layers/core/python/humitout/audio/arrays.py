"""Small array helpers shared by the audio analysis and the mastering."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np


def true_runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The runs of True in a 1-D boolean ``mask`` (n,): their first indices and the indices just past
    their ends (half-open, ``mask[a:b]`` is one run), each (k,) int, in order; empty when none."""
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return edges[::2], edges[1::2]


@contextmanager
def without_huge_pages() -> Iterator[None]:
    """Within the block, numpy backs new large arrays with ordinary 4 kB pages, not transparent huge pages.

    numpy asks the kernel for 2 MB pages (``madvise(MADV_HUGEPAGE)``) on every large array. On a
    virtual machine, each fresh huge page costs milliseconds of system time when first touched (the
    host backs and clears all of it at once): a 90 s song's render (~600 MB of float32 buffers)
    spent 0.4-0.9 CPU-s more in the synth and up to 0.8 more in the mastering than with small pages.
    Only where memory comes from changes, never a value. numpy's setting is restored on exit.
    """
    core = getattr(np, "_core", None) or np.core                # numpy 2 / numpy 1.26 (the floor we allow)
    setter = getattr(core.multiarray, "_set_madvise_hugepage", None)
    previous = setter(False) if setter is not None else None
    try:
        yield
    finally:
        if setter is not None:
            setter(previous)
