"""Settings, declared once with defaults and help; built at the edge and passed down."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from common.errors import FindbuchError

CONFIG_FILE_NAME = "findbuch.toml"
ENV_PREFIX = "FINDBUCH_"


@dataclass(frozen=True)
class Settings:
    """Everything configurable. Each field's metadata holds its help text for README and CLI."""

    home: Path = Path("findbuch-data")
    host: str = "127.0.0.1"
    port: int = 8000
    ocr_languages: str = "deu"
    ocr_timeout: float = 180.0
    ocr_dpi: int = 240
    max_file_mb: int = 512
    max_pages: int = 5000
    min_page_chars: int = 20
    low_confidence: float = 60.0
    jobs: int = 0
    public: bool = False
    base_url: str = "http://127.0.0.1:8000"
    max_upload_mb: int = 200
    max_upload_files: int = 50
    broker_url: str = ""
    worker_lease: float = 30.0
    job_attempts: int = 3
    web_processes: int = 0

    @property
    def catalog_path(self) -> Path:
        """SQLite catalog of documents and pages."""
        return self.home / "catalog.sqlite"

    @property
    def originals_dir(self) -> Path:
        """Content-addressed store of the original files."""
        return self.home / "originals"

    @property
    def derivatives_dir(self) -> Path:
        """Content-addressed store of files made from the originals (searchable PDFs, words)."""
        return self.home / "derivatives"

    @property
    def results_dir(self) -> Path:
        """What workers read, waiting for the writer to apply it (``ingest.handoff``)."""
        return self.home / "results"

    @property
    def index_dir(self) -> Path:
        """Whoosh index, derived from the archive and rebuildable at any time."""
        return self.home / "index"


SETTING_HELP: dict[str, str] = {
    "home": "Datenverzeichnis (Archiv, Katalog, Index); auch FINDBUCH_HOME",
    "host": "Adresse, an der der Webserver lauscht",
    "port": "Port des Webservers",
    "ocr_languages": "Tesseract-Sprachen, mit + verbunden (z. B. deu+eng)",
    "ocr_timeout": "Höchstdauer der Texterkennung einer Seite in Sekunden",
    "ocr_dpi": "Arbeitsauflösung der Texterkennung; feinere Scans werden dafür verkleinert",
    "max_file_mb": "Größte annehmbare Datei in MB",
    "max_pages": "Größte annehmbare Seitenzahl eines PDF",
    "min_page_chars": "PDF-Seiten mit weniger Zeichen im Textlayer werden per OCR gelesen",
    "low_confidence": "OCR-Seiten mit geringerer mittlerer Wortsicherheit werden markiert",
    "jobs": "Parallele OCR-Prozesse; 0 heißt: so viele wie Prozessorkerne",
    "public": "Suchen und Lesen ohne Anmeldung erlauben",
    "base_url": "Öffentliche Adresse des Findbuchs, für Permalinks in Zitaten",
    "max_upload_mb": "Größte Datei, die über die Weboberfläche hochgeladen werden kann, in MB",
    "max_upload_files": "Höchstzahl Dateien je Hochladevorgang",
    "broker_url": "Redis-Adresse der Auftragswarteschlange (z. B. redis://host:6379/0); "
    "leer: eingebaute Warteschlange in SQLite im Datenverzeichnis",
    "worker_lease": "Sekunden ohne Lebenszeichen, nach denen ein Auftrag als verwaist gilt "
    "und erneut eingereiht wird",
    "job_attempts": "So oft wird ein Auftrag aufgenommen, bevor er als fehlgeschlagen gilt",
    "web_processes": "Prozesse des Webservers; 0 heißt: so viele wie Prozessorkerne",
}


def _coerce(name: str, raw: Any) -> Any:
    """Convert a config-file or environment value to the type of the field's default."""
    default = getattr(Settings, name)
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in ("1", "true", "yes", "ja", "on")
    try:
        return type(default)(raw)
    except (TypeError, ValueError) as e:
        raise FindbuchError(f"Ungültiger Wert für Einstellung {name!r}: {raw!r}") from e


def load_settings(
    overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Build settings from defaults, the home's config file, FINDBUCH_* variables, then flags.

    Args:
        overrides: values from the command line; ``None`` values are ignored.
        environ: the environment to read (``os.environ`` when omitted).

    Returns:
        The frozen settings.
    """
    env = os.environ if environ is None else environ
    names = [f.name for f in fields(Settings)]
    flags = {k: v for k, v in (overrides or {}).items() if v is not None}
    env_values = {n: env[ENV_PREFIX + n.upper()] for n in names if ENV_PREFIX + n.upper() in env}
    home = Path(flags.get("home") or env_values.get("home") or Settings.home)
    values: dict[str, Any] = {}
    config_path = home / CONFIG_FILE_NAME
    if config_path.is_file():
        try:
            values.update(tomllib.loads(config_path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as e:
            raise FindbuchError(f"{config_path}: fehlerhafte Konfiguration ({e})") from e
    values.update(env_values)
    values.update(flags)
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise FindbuchError(f"Unbekannte Einstellung(en): {', '.join(unknown)}")
    coerced = {k: _coerce(k, v) for k, v in values.items()}
    coerced["home"] = home
    return replace(Settings(), **coerced)
