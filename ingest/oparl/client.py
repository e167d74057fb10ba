"""A polite HTTP client for OParl servers: timeouts, retries with backoff, a request rate.

Retries are urllib3's: 5xx answers and connection errors are retried with exponential backoff,
and a ``Retry-After`` on 429 or 503 is waited for as the server asks.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from archive.store import OriginalStore
from common.errors import FindbuchError

RETRY_STATUSES = (429, 500, 502, 503, 504)
CHUNK_BYTES = 1 << 20


class OParlError(FindbuchError):
    """An OParl object or file that could not be fetched or read; the message names it."""


@dataclass(frozen=True)
class ClientOptions:
    """How politely to fetch.

    Attributes:
        rate: requests per second at most (0: no limit).
        timeout: seconds to wait for a connection or for the next bytes of an answer.
        retries: tries after the first for 5xx, 429 and connection errors.
        backoff: seconds of the first pause between tries; doubled each time (urllib3).
        max_bytes: largest file downloaded.
    """

    rate: float = 4.0
    timeout: float = 30.0
    retries: int = 5
    backoff: float = 1.0
    max_bytes: int = 512 * 1024 * 1024


def user_agent() -> str:
    """The User-Agent: Findbuch and its version, so a council's admins know who is asking."""
    return f"Findbuch/{version('findbuch')} (Dokumentenarchiv; OParl-Import)"


class OParlClient:
    """GET requests to one or more OParl servers, at most ``rate`` per second."""

    def __init__(self, options: ClientOptions) -> None:
        self.options = options
        self.requests = 0
        self._session = requests.Session()
        self._session.headers["User-Agent"] = user_agent()
        self._session.headers["Accept"] = "application/json"
        retry = Retry(
            total=options.retries,
            connect=options.retries,
            read=options.retries,
            status=options.retries,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=("GET",),
            backoff_factor=options.backoff,
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._lock = threading.Lock()
        self._next_at = 0.0

    def close(self) -> None:
        """Close the connections."""
        self._session.close()

    def get_json(self, url: str, params: dict[str, str] | None = None) -> Any:
        """The JSON object at ``url``.

        Raises:
            OParlError: not reachable, an error status, or not JSON (in German, naming the URL).
        """
        with self._get(url, params=params) as response:
            try:
                return json.loads(response.content)
            except (ValueError, UnicodeDecodeError) as e:
                raise OParlError(f"{url}: Antwort ist kein gültiges JSON ({e}).") from e

    def download(self, url: str, target: Path) -> str:
        """Save the file at ``url`` to ``target`` (atomically); returns its SHA-256.

        Raises:
            OParlError: not reachable, an error status, or larger than ``max_bytes``.
        """
        digest = hashlib.sha256()
        size = 0

        def write(out: Any) -> None:
            nonlocal size
            with self._get(url, stream=True, accept="*/*") as response:
                try:
                    for chunk in response.iter_content(CHUNK_BYTES):
                        size += len(chunk)
                        if size > self.options.max_bytes:
                            limit = self.options.max_bytes // (1024 * 1024)
                            raise OParlError(f"{url}: Datei ist größer als {limit} MB.")
                        digest.update(chunk)
                        out.write(chunk)
                except requests.RequestException as e:
                    raise OParlError(f"{url}: Download abgebrochen ({_reason(e)}).") from e

        target.parent.mkdir(parents=True, exist_ok=True)
        OriginalStore.write_atomically(target, write)
        if size == 0:
            raise OParlError(f"{url}: Datei ist leer.")
        return digest.hexdigest()

    def _get(
        self,
        url: str,
        *,
        params: dict[str, str] | None = None,
        stream: bool = False,
        accept: str = "application/json",
    ) -> requests.Response:
        self._wait_turn()
        self.requests += 1
        try:
            response = self._session.get(
                url,
                params=params,
                stream=stream,
                timeout=self.options.timeout,
                headers={"Accept": accept},
            )
        except requests.RequestException as e:
            raise OParlError(f"{url}: nicht erreichbar ({_reason(e)}).") from e
        if response.status_code >= 400:
            response.close()
            raise OParlError(f"{url}: Server antwortet mit HTTP {response.status_code}.")
        return response

    def _wait_turn(self) -> None:
        """Sleep until the next request is allowed by ``rate``."""
        if self.options.rate <= 0:
            return
        with self._lock:
            now = time.monotonic()
            wait = self._next_at - now
            self._next_at = max(now, self._next_at) + 1.0 / self.options.rate
        if wait > 0:
            time.sleep(wait)


def _reason(error: requests.RequestException) -> str:
    """A short German reason for a failed request."""
    if isinstance(error, requests.Timeout):
        return "Zeitüberschreitung"
    if isinstance(error, requests.exceptions.RetryError):
        return "auch nach mehreren Versuchen fehlerhaft"
    if isinstance(error, requests.ConnectionError):
        return "Verbindung fehlgeschlagen"
    return type(error).__name__
