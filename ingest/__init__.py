"""Ingestion: recognise a file, extract the text of each page, and hand it to the archive."""

from ingest.pipeline import (
    ADDED,
    DUPLICATE,
    FAILED,
    DocumentSink,
    IngestResult,
    PageProgress,
    ingest_paths,
)

__all__ = [
    "ADDED",
    "DUPLICATE",
    "FAILED",
    "DocumentSink",
    "IngestResult",
    "PageProgress",
    "ingest_paths",
]
