"""The web server's processes share the clients: a burst of keep-alive connections is spread
over them instead of landing in whichever process accepted first (29 of 32 had, bench.load)."""

from __future__ import annotations

import http.client
from pathlib import Path
from urllib.parse import urlsplit

from conftest import DLT_TEXT, child_pids, run_cli, serving

CLIENTS = 24


def test_a_burst_of_keep_alive_clients_is_shared_by_the_server_processes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run_cli("--home", str(home), "ingest", str(DLT_TEXT))
    with serving(home, "--public", "--processes", "2") as (base, server):
        port = urlsplit(base).port
        connections = [
            http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(CLIENTS)
        ]
        try:
            for connection in connections:
                connection.connect()
            for connection in connections:
                connection.request("GET", "/?q=Partnerschaft")
            for connection in connections:
                response = connection.getresponse()
                assert response.status == 200 and b"<mark>" in response.read()
            held = [_connections_held(pid, port) for pid in [server.pid, *child_pids(server.pid)]]
        finally:
            for connection in connections:
                connection.close()
    assert len(held) == 2 and sum(held) == CLIENTS, held
    assert abs(held[0] - held[1]) <= 4, held


def _connections_held(pid: int, port: int) -> int:
    """How many established connections to ``port`` the process holds open."""
    established = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:
            established.add(fields[9])
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        held += target.startswith("socket:[") and target[8:-1] in established
    return held
