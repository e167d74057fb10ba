"""One error hierarchy; each class knows its exit code and its HTTP status.

Only the CLI and the web's one error handler translate errors, each reading the class's own
``exit_code`` or ``http_status``, so a failure means the same on both surfaces.
"""

from enum import IntEnum


class ExitCode(IntEnum):
    """Public, stable exit codes of the ``findbuch`` command (documented in README.md)."""

    OK = 0
    FAILED = 1
    USAGE = 2


class FindbuchError(Exception):
    """Base error: a message a user can act on, plus its exit code and HTTP status."""

    exit_code: ExitCode = ExitCode.FAILED
    http_status: int = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(FindbuchError):
    """A setting, argument or field name that cannot be used as given."""

    exit_code = ExitCode.USAGE


class InputFileError(FindbuchError):
    """A file that cannot be ingested: corrupt, encrypted, empty, too large or unsupported."""

    http_status = 422


class MissingDependencyError(FindbuchError):
    """A system tool or language pack is missing; the message names the Debian package."""

    http_status = 503


class OcrTimeoutError(InputFileError):
    """OCR of one page took longer than the configured limit."""


class DocumentNotFoundError(FindbuchError):
    """No document with the given id exists in the archive."""

    http_status = 404


class BusyError(FindbuchError):
    """Another process holds what this one needs (the data home's writer lock)."""

    http_status = 409
