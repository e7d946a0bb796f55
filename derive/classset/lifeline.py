"""Processes that end with their parent, however it ends (``kill -9`` too), from their first moment.

``derive batch`` runs its workers in processes forked from a multiprocessing fork server, and a
cold ``derive render`` imports TensorFlow in a forked child (``numeric.tape_process``). Left
alone, after a ``kill -9`` of the batch the fork server and its workers lived on (1.4 GB) and
kept the caller's pipes open. On Linux each of them asks the kernel (``prctl(PR_SET_PDEATHSIG)``)
to kill it when its parent dies, then checks that its parent is still the process it was given,
by a pid noted in the parent before the fork: a parent that died before the lifeline was tied
has left the process to init (or a subreaper), whose death the kernel would wait for instead,
and ``getppid()`` read in the child would name that one. The kernel sends the signal when the
*thread* that forked ends: derive forks from its main thread.

- The fork server is given the batch's pid in ``DERIVE_LIFELINE`` and imports this module first
  of its preload, before the renderers and TensorFlow (seconds); before it, it runs only Python's
  start-up and the standard library (a batch dead by then is caught by the check).
- A worker is tied by an at-fork hook of the fork server's, in the child at once after
  ``fork()``, before it unpickles its task and imports ``derive.cli`` as its main module: before,
  a worker whose fork server was killed in that window was tied to init and waited forever.
- multiprocessing's resource tracker ends by itself when its pipe closes, that is once the batch
  and every worker have ended; it then unlinks the semaphores they leave in /dev/shm, which it
  would leave behind if it were killed.
- The tape child ties itself first thing, with ``start_worker(parent)``.

These processes also ignore Ctrl-C, which the terminal sends to the whole process group: the
batch (or render) process alone reports it, in one line.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1
ENVIRONMENT = "DERIVE_LIFELINE"
"""The batch's pid, in the environment of the fork server it starts (and of nothing else)."""


def _find_prctl() -> Callable[..., int] | None:
    """libc's ``prctl`` (Linux), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    return prctl


_PRCTL = _find_prctl()  # found now, so that a child just forked only calls it
_forking: int | None = None
"""The pid of the process that is forking, noted in it before the fork, read in the child."""


def tie_to(parent: int) -> None:
    """End this process when ``parent`` dies (Linux: the kernel kills it), or now if ``parent``
    is no longer its parent. Elsewhere only the second."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the lifeline was tied
        os._exit(1)


def ignore_ctrl_c() -> None:
    """Leave Ctrl-C to the parent, which reports it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_worker(parent: int) -> None:
    """A child's first act (the tape child's initializer): end with ``parent``, leave Ctrl-C to it."""
    ignore_ctrl_c()
    tie_to(parent)


def _note_forking() -> None:
    global _forking
    _forking = os.getpid()


def _tie_the_child() -> None:
    if _forking is not None:
        start_worker(_forking)


def _tie_the_fork_server() -> None:
    """In the fork server started with ``DERIVE_LIFELINE``: tie it to the batch and each child it
    forks to it. The variable is taken out of the environment, which the workers inherit."""
    parent = os.environ.pop(ENVIRONMENT, None)
    if parent is None:
        return
    start_worker(int(parent))
    os.register_at_fork(before=_note_forking, after_in_child=_tie_the_child)


_tie_the_fork_server()
