"""The web server in several processes sharing one listening socket.

Python's GIL keeps one process's threads on one core: waitress with eight threads used 1.04
cores under 32 clients (bench/RESULTS.md). So ``serve`` forks server processes before it
starts any thread; each opens its own archive and index readers, and the parent, which also
serves, runs the queue's writer and worker.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
from collections.abc import Callable

import waitress
from flask import Flask

THREADS_PER_PROCESS = 8
_PR_SET_PDEATHSIG = 1


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket every server process accepts connections from."""
    return socket.create_server((host, port), backlog=1024)


def fork_servers(sock: socket.socket, make_app: Callable[[], Flask], count: int) -> list[int]:
    """Start ``count`` server processes on ``sock``; call before any thread is started."""
    pids = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            _serve_child(sock, make_app)
        pids.append(pid)
    return pids


def _serve_child(sock: socket.socket, make_app: Callable[[], Flask]) -> None:
    """A child: serve until the parent stops it (or dies: the kernel then sends SIGTERM)."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the parent, which stops us
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        serve_app(sock, make_app())
    except BaseException:  # noqa: BLE001 - a child must never return into the parent's code
        code = 1
    finally:
        os._exit(code)


def serve_app(sock: socket.socket, app: Flask) -> None:
    """Serve ``app`` on ``sock`` until the process is stopped."""
    waitress.serve(app, sockets=[sock], threads=THREADS_PER_PROCESS)


def stop_servers(pids: list[int]) -> None:
    """Stop the child processes and wait for them."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
    for pid in pids:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            continue
