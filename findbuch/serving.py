"""The web server in several processes sharing one listening socket, with limits per client.

Python's GIL keeps one process's threads on one core: waitress with eight threads used 1.04
cores under 32 clients (bench/RESULTS.md). So ``serve`` forks server processes before it
starts any thread; each opens its own archive and index readers, and the parent, which also
serves, runs the queue's writer and worker.

Waitress alone let ~100 sockets sending headers byte by byte block every other client, and
buffered a 900 MB anonymous body before refusing it (#17). So each process accepts many
connections (polled, not select()ed), closes those whose request does not arrive in time,
and decides the body limit from a request's headers, before its body is read.

Clients keep their connection open (keep-alive), so the process that happened to accept a
burst of connections served them all: 29 of 32 in one process, 3 in the other, under
bench.load at 100,000 pages. So the processes share their counts of open connections, and
one accepts only while it holds no more than the least loaded one (``ConnectionShares``).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import resource
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer

# Four threads a process, computing one answer at a time (``_InTurn``): a slow client holds a
# thread while a large answer drains, so a single thread would let it hold up every client.
THREADS_PER_PROCESS = 4
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class ServerLimits:
    """What one server process allows its clients (README, "Limits of the web server").

    Attributes:
        connections: open connections per process; more wait in the listen queue.
        request_timeout: seconds a request may take to arrive from its first byte, headers
            and body; an archivist's upload only has to keep sending (``idle_timeout``).
        idle_timeout: seconds a connection may stay silent (waitress's ``channel_timeout``).
        check_interval: seconds between checks of both timeouts.
    """

    connections: int = 1000
    request_timeout: float = 10.0
    idle_timeout: int = 20
    check_interval: int = 1


class ConnectionShares:
    """Each server process's count of open connections, in memory shared across the fork.

    A process accepts while it holds at most ``SLACK`` more than the least loaded process that
    has reported in the last ``STALE_S`` seconds (one that stopped is left out; one not yet
    started counts as holding none). Each process reports whenever its loop turns, at least
    once a second.
    """

    SLACK = 1
    STALE_S = 5.0

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.slot = 0  # the parent's; each child takes its own after the fork
        self._counts = multiprocessing.RawArray(ctypes.c_long, processes)
        # A process still starting counts as holding none, or the first one up took every client.
        self._reported = multiprocessing.RawArray(ctypes.c_double, [time.monotonic()] * processes)

    def may_accept(self, connections: int) -> bool:
        """Report this process's ``connections``; whether it should accept one more now."""
        now = time.monotonic()
        self._counts[self.slot] = connections
        self._reported[self.slot] = now
        fewest = min(
            self._counts[i]
            for i in range(self.processes)
            if i == self.slot or now - self._reported[i] < self.STALE_S
        )
        return connections <= fewest + self.SLACK


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket every server process accepts connections from."""
    return socket.create_server((host, port), backlog=1024)


def fork_servers(
    sock: socket.socket, make_app: Callable[[], Flask], shares: ConnectionShares
) -> list[int]:
    """Start the server processes beside this one; call before any thread is started."""
    pids = []
    for slot in range(1, shares.processes):
        pid = os.fork()
        if pid == 0:
            shares.slot = slot
            _serve_child(sock, make_app, shares)
        pids.append(pid)
    return pids


def _serve_child(
    sock: socket.socket, make_app: Callable[[], Flask], shares: ConnectionShares
) -> None:
    """A child: serve until the parent stops it (or dies: the kernel then sends SIGTERM)."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches the parent, which stops us
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        serve_app(sock, make_app(), shares)
    except BaseException:  # noqa: BLE001 - a child must never return into the parent's code
        code = 1
    finally:
        os._exit(code)


def serve_app(sock: socket.socket, app: Flask, shares: ConnectionShares) -> None:
    """Serve ``app`` on ``sock`` until the process is stopped."""
    make_server(sock, app, ServerLimits(), shares).run()


def make_server(
    sock: socket.socket, app: Flask, limits: ServerLimits, shares: ConnectionShares
) -> TcpWSGIServer:
    """A waitress server for ``app`` on ``sock`` that keeps to ``limits``.

    The app gives each request's body limit (``FINDBUCH_BODY_LIMIT``, see web/limits.py);
    the largest, an upload's, is waitress's own ``max_request_body_size``.
    """
    _allow_open_files(limits.connections + 100)
    parser = type(
        "Parser",
        (_LimitedRequestParser,),
        {"body_limit": staticmethod(app.config["FINDBUCH_BODY_LIMIT"]), "limits": limits},
    )
    server = _GuardedServer(
        _InTurn(app),
        _sock=sock,
        bind_socket=False,
        sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
        threads=THREADS_PER_PROCESS,
        connection_limit=limits.connections,
        channel_timeout=limits.idle_timeout,
        cleanup_interval=limits.check_interval,
        asyncore_use_poll=True,  # select() cannot watch more than 1024 sockets
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1,
    )
    server.channel_class = type("Channel", (HTTPChannel,), {"parser_class": parser})
    server.shares = shares
    return server


def _allow_open_files(count: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < count:
        wanted = count if hard == resource.RLIM_INFINITY else min(count, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


class _Adjusted:
    """Waitress's settings with some values changed for one request."""

    def __init__(self, base: Any, **changes: Any) -> None:
        self._base = base
        self.__dict__.update(changes)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)


class _LimitedRequestParser(HTTPRequestParser):
    """Reads one request, with a deadline and a body limit chosen from its headers."""

    body_limit: Callable[..., int]
    limits: ServerLimits

    def __init__(self, adj: Any) -> None:
        super().__init__(adj)  # made when the request's first byte arrives
        self.deadline: float | None = time.monotonic() + self.limits.request_timeout

    def parse_header(self, header_plus: bytes) -> None:
        """Parse the headers, then lower the body limit unless this is an upload."""
        super().parse_header(header_plus)
        limit = self.body_limit(
            self.command,
            self.path,
            authorization=self.headers.get("AUTHORIZATION", ""),
            cookie=self.headers.get("COOKIE", ""),
        )
        if limit < self.adj.max_request_body_size:
            # waitress refuses a body of max_request_body_size bytes or more
            self.adj = _Adjusted(self.adj, max_request_body_size=limit + 1)
        else:
            self.deadline = None  # an upload may take long; it must only keep sending


class _InTurn:
    """The app computing one answer at a time in this process; sending it is not in turn.

    A process runs on one core (the GIL). Threads computing answers side by side there each
    waited for all the others and cost more CPU in switching: at 100,000 pages under 32
    clients shared evenly, 2 threads side by side 76-90/s (p95 574-631 ms, 22-26 ms of CPU a
    search), one answer at a time 94-98/s (p95 553-576 ms, 20-21 ms; bench/RESULTS.md).
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._turn = threading.Lock()
        self._static = f"{app.static_url_path}/"

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO", "").startswith(self._static):
            # The style sheet and script, sent as they are: they must not wait for a page image.
            return self.app(environ, start_response)
        with self._turn:
            return self.app(environ, start_response)


class _GuardedServer(TcpWSGIServer):
    """Accepts its share of the connections; closes idle ones and slow requests."""

    shares: ConnectionShares

    def readable(self) -> bool:
        """Whether to accept now: asked by waitress's loop before each wait (at most 1 s)."""
        # The map holds this server's connections, its listening socket and its trigger.
        return super().readable() and self.shares.may_accept(len(self._map))

    def maintenance(self, now: float) -> None:
        """Called every ``check_interval`` seconds by waitress's loop."""
        super().maintenance(now)
        late = time.monotonic()
        for channel in self.active_channels.values():
            deadline = getattr(channel.request, "deadline", None)
            if deadline is not None and deadline < late and not channel.requests:
                channel.will_close = True


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
