"""One error hierarchy with stable exit codes; only the CLI and web handlers translate it."""

from enum import IntEnum


class ExitCode(IntEnum):
    """Public, stable exit codes of the ``findbuch`` command (documented in README.md)."""

    OK = 0
    FAILED = 1
    USAGE = 2


class FindbuchError(Exception):
    """Base error: a message a user can act on, plus the exit code the CLI returns."""

    exit_code: ExitCode = ExitCode.FAILED

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputFileError(FindbuchError):
    """A file that cannot be ingested: corrupt, encrypted, empty, too large or unsupported."""


class MissingDependencyError(FindbuchError):
    """A system tool or language pack is missing; the message names the Debian package."""


class OcrTimeoutError(InputFileError):
    """OCR of one page took longer than the configured limit."""


class DocumentNotFoundError(FindbuchError):
    """No document with the given id exists in the archive."""
