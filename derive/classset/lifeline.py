"""Worker processes that end with their parent, however the parent ends (``kill -9`` too).

``derive batch`` runs its workers in processes forked from a fork server. Left alone, after
a ``kill -9`` of the batch the fork server, its workers and multiprocessing's resource
tracker lived on (1.4 GB), and the workers kept the caller's pipes open. On Linux each of
them asks the kernel (``prctl(PR_SET_PDEATHSIG)``) to be killed when its parent dies: the
fork server when the batch dies, a worker when the fork server dies; the resource tracker
then ends by itself, its last client gone. Workers also ignore Ctrl-C, which the terminal
sends to the whole process group: the batch process alone reports it, in one line.

Importing this module binds the process to its parent when ``DERIVE_LIFELINE`` is set, which
``derive.cli.batch`` sets only for the fork server it starts (which preloads this module).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1
ENVIRONMENT = "DERIVE_LIFELINE"


def bind_to_parent() -> None:
    """Have the kernel kill this process when its parent dies (Linux; elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the worker still works, without its lifeline
        return
    if os.getppid() != parent:  # the parent died before the lifeline was tied
        os._exit(1)


def start_worker() -> None:
    """A pool worker's initializer: end with the parent, leave Ctrl-C to it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    bind_to_parent()


if os.environ.get(ENVIRONMENT) == "1":  # the fork server, preloading: Ctrl-C is the batch's to report
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    bind_to_parent()
