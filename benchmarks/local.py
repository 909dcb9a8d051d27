"""Two small helpers for servers on this machine, shared by the benchmark and the tests.

`free_port` finds a port of 127.0.0.1 to hand to a server that must be told its port up front (the
app's `launch`, a process of its own); `wait_until` polls a condition with a deadline, so that no
wait on a busy machine can hang a run.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

POLL_S = 0.05


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listened on a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], object], timeout_s: float, poll_s: float = POLL_S) -> bool:
    """Poll `condition` every `poll_s` until it is true (True) or `timeout_s` has passed (False)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(poll_s)
    return True
