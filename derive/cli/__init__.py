"""The ``derive`` command (click): thin commands that parse options and call the stages.

``main`` is the console entry point. Its first act, for ``derive render``, is to fork the child
that imports TensorFlow (``first``), before click, SymPy or any stage is imported; then the
commands (``commands``) are imported and run.
"""

import os

# BLAS single-threaded before numpy loads: derive's matrices are tiny, and a process that runs
# no thread may fork the child that imports TensorFlow (numeric.tape_process)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main() -> None:
    """Console entry point: fork ``derive render``'s TensorFlow child first, then run the command."""
    import sys

    from . import first

    first.start(sys.argv[1:])
    try:
        from .commands import main as run

        run()
    finally:
        first.close()


def __getattr__(name: str):
    """``cli``, the click group, imported when asked for (not by ``main`` before its fork)."""
    if name == "cli":
        from .commands import cli

        return cli
    raise AttributeError(f"module 'derive.cli' has no attribute {name!r}")


__all__ = ["cli", "main"]
