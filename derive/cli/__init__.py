"""The ``derive`` command (click): thin commands that parse options and call the stages."""

import os

# BLAS single-threaded before numpy loads: derive's matrices are tiny, and a process that runs
# no thread may fork the child that imports TensorFlow (numeric.tape_process)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .commands import cli, main  # noqa: E402 - after the environment above

__all__ = ["cli", "main"]
