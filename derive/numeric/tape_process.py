"""TensorFlow in a child process, imported while the parent does everything that needs no numbers.

A cold ``derive render`` spent about 3 s importing TensorFlow, in series with the renderers'
imports and first use and the symbolic derivation, none of which needs a number.
``TapeProcess.start`` forks a child that imports TensorFlow (quietly) at once and then
answers the ``TapeRunner`` calls one at a time over a pipe; the parent never imports it.

Forking copies only the calling thread, so it is safe only while the parent runs no other:
the child is started only when this process has one thread (Linux's ``/proc/self/task``,
which sees BLAS's threads too, and Python's own count) and has not loaded TensorFlow, whose
thread pools a child could not use. Otherwise ``start`` returns ``IN_PROCESS``.

The child imports only what the tape needs: TensorFlow imports Keras, which imports matplotlib's
pyplot (about 0.5 s) and h5py (which runs ``uname -p``) where it can, for plotting and saving
models; in the child they cannot be imported (``UNUSED``).

The child leaves nothing behind and says nothing: its first act is ``initializer(parent)``,
given this process's pid as noted before the fork (the CLI passes
``classset.lifeline.start_worker``, which has the kernel kill it when that parent dies, at
once if it already has, and leaves Ctrl-C to the parent); ``close`` kills it, and it ends by
itself when the pipe closes; its stdout and stderr are ``/dev/null``, since everything it has
to say goes back over the pipe.
A ``DeriveError`` comes back and is raised here as it is; any other failure (TensorFlow
missing, the child killed) closes the child and runs the call in this process, so the user
meets exactly what the in-process path shows.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from ..errors import DeriveError
from .runner import IN_PROCESS, TapeRunner
from .tape_result import TapeResult

if TYPE_CHECKING:
    from ..graph.dag import Graph
    from ..spec.optimizers import Optimizer
    from ..spec.schema import Gradient
    from .keras_check import DenseCheck

UNUSED = ("matplotlib", "h5py")
"""What TensorFlow's Keras imports if it can, to plot and to save models: not in the child."""
_DONE, _REFUSED, _FAILED = "done", "refused", "failed"
"""How the child answers: a result, a DeriveError to raise, or a failure to redo here."""


def forkable() -> bool:
    """Whether this process may fork a child that imports and runs TensorFlow."""
    tasks = "/proc/self/task"
    return (os.path.isdir(tasks) and "fork" in multiprocessing.get_all_start_methods()
            and len(os.listdir(tasks)) == 1 and threading.active_count() == 1
            and "tensorflow" not in sys.modules)


class TapeProcess:
    """A ``TapeRunner`` whose TensorFlow runs in a child process; a context manager that kills it."""

    def __init__(self, process: multiprocessing.process.BaseProcess | None, connection: Connection | None):
        self._process = process
        self._connection = connection

    @classmethod
    def start(cls, initializer: Callable[[int], None] = lambda parent: None) -> TapeProcess:
        """Fork the child (it calls ``initializer(this process's pid)``, then starts importing
        TensorFlow), or, where forking is not safe, a runner that calls ``IN_PROCESS``."""
        if not forkable():
            return cls(None, None)
        context = multiprocessing.get_context("fork")
        here, there = context.Pipe()
        sys.stdout.flush()  # the child must not write out what this process has buffered
        sys.stderr.flush()
        process = context.Process(target=_serve, args=(there, initializer, os.getpid()), name="derive-tape",
                                  daemon=True)
        process.start()
        there.close()
        return cls(process, here)

    @property
    def forked(self) -> bool:
        """Whether the calls still go to a child."""
        return self._process is not None

    def run_tape(self, graph: Graph, dtype_name: str, learning_rate: float | None,
                 steps: int, optimizer: Optimizer | None = None) -> TapeResult:
        return self._call("run_tape", graph, dtype_name, learning_rate, steps, optimizer)

    def check_dense(self, graph: Graph, gradients: dict, dtype_name: str,
                    tolerance: float) -> list[DenseCheck]:
        return self._call("check_dense", graph, gradients, dtype_name, tolerance)

    def run_gradient_table(self, graph: Graph, table: Gradient, of: str, wrt: tuple[str, ...],
                           dtype_name: str) -> dict[str, float | None]:
        return self._call("run_gradient_table", graph, table, of, wrt, dtype_name)

    def _call(self, method: str, *arguments: Any) -> Any:
        if self._connection is not None:
            try:
                self._connection.send((method, arguments))
                status, answer = self._connection.recv()
            except (EOFError, OSError):  # the child is gone
                status, answer = _FAILED, None
            if status == _DONE:
                return answer
            if status == _REFUSED:
                raise answer
            self.close()
        return getattr(IN_PROCESS, method)(*arguments)

    def close(self) -> None:
        """Kill the child (it holds nothing that needs an orderly end) and reap it."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._process = None

    def __enter__(self) -> TapeProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _serve(connection: Connection, initializer: Callable[[int], None], parent: int) -> None:
    """The child: import TensorFlow, then answer calls until the pipe closes."""
    initializer(parent)
    _silence()
    for unused in UNUSED:
        sys.modules.setdefault(unused, None)  # importing it raises ImportError, which its importers catch
    try:
        from .quiet_tensorflow import tensorflow

        tensorflow()  # first: derive's own modules and SymPy, which the tape needs too, after it
        from . import tape  # noqa: F401 - imported now, before the first call
    except BaseException as error:  # noqa: BLE001 - each call then fails over to the parent
        broken: str | None = f"{type(error).__name__}: {error}"
    else:
        broken = None
    runner: TapeRunner = IN_PROCESS
    while True:
        try:
            method, arguments = connection.recv()
        except (EOFError, OSError):
            return
        if broken is not None:
            connection.send((_FAILED, broken))
            continue
        try:
            answer = (_DONE, getattr(runner, method)(*arguments))
        except DeriveError as error:
            answer = (_REFUSED, error)
        except Exception as error:  # noqa: BLE001 - the parent runs the call itself and meets it there
            answer = (_FAILED, f"{type(error).__name__}: {error}")
        try:
            connection.send(answer)
        except Exception as error:  # noqa: BLE001 - an answer that does not pickle
            connection.send((_FAILED, f"{type(error).__name__}: {error}"))


def _silence() -> None:
    """Point the child's stdout and stderr at /dev/null: TensorFlow's C++ lines, a warning,
    anything a library prints while the child runs is not the user's to read."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for descriptor in (1, 2):
        os.dup2(devnull, descriptor)
    os.close(devnull)
