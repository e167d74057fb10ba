"""Settings, declared once with defaults and help; built at the edge and passed down."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from common.errors import UsageError
from common.layout import HomeLayout

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
    def layout(self) -> HomeLayout:
        """Where each part of the data home lives."""
        return HomeLayout(self.home)


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
        raise UsageError(f"Ungültiger Wert für Einstellung {name!r}: {raw!r}") from e


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
    config_path = HomeLayout(home).config
    if config_path.is_file():
        try:
            values.update(tomllib.loads(config_path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as e:
            raise UsageError(f"{config_path}: fehlerhafte Konfiguration ({e})") from e
    values.update(env_values)
    values.update(flags)
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise UsageError(f"Unbekannte Einstellung(en): {', '.join(unknown)}")
    coerced = {k: _coerce(k, v) for k, v in values.items()}
    coerced["home"] = home
    return replace(Settings(), **coerced)
