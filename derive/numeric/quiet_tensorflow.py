"""TensorFlow, imported once and silently: no absl, oneDNN or CPU-feature line reaches stderr.

TensorFlow's C++ core writes its start-up lines ("All log messages before
absl::InitializeLog() is called are written to STDERR", the cpu_feature_guard note) straight
to file descriptor 2 while it loads, and ``TF_CPP_MIN_LOG_LEVEL`` no longer stops all of
them. So the descriptor is pointed at ``/dev/null`` around the import only, then restored:
a Python exception from the import still reaches the user, and every line derive writes
afterwards (its errors, the progress bar) goes to stderr as before. The same holds in the
Python API and in Jupyter, where the kernel's stderr is that descriptor too.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from types import ModuleType


@cache
def tensorflow() -> ModuleType:
    """The ``tensorflow`` module, imported with its C++ start-up lines silenced."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return _quiet_python_logger(sys.modules["tensorflow"])
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
            import tensorflow
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
    return _quiet_python_logger(tensorflow)


def _quiet_python_logger(tf: ModuleType) -> ModuleType:
    """Retracing notes from ``tape.jacobian`` are not for instructors."""
    tf.get_logger().setLevel("ERROR")
    return tf
