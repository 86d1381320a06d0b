"""The cycle collector paused while a large structure is built, and on again after.

Python's cycle collector runs every few hundred new container objects and, now and then, walks every
object the process holds. While a document is laid out, or the input files are read into frames, almost
nothing built is garbage yet, so those walks find nothing, and they grow with what is being built: a
sixth of the national document's render, and a tenth of the CPU time of loading the example data and
working out its quarters. Paused, the collector is on again at the end of the block, and its next
automatic collection (at once: thousands of objects are new) frees the block's garbage in one pass,
provided what the block built is no longer held by then: still held, that collection walks all of it
only to keep it, and a later one walks it again to free it.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, and on again after (if it was on before)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
