"""The OpenAPI 3.1 document of the JSON API; a test checks real responses against it."""

from __future__ import annotations

from typing import Any

_STRING = {"type": "string"}
_INT = {"type": "integer"}
_STRINGS = {"type": "array", "items": _STRING}
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {"status": _INT, "message": _STRING},
        }
    },
}
_HIT = {
    "type": "object",
    "required": ["doc_id", "sha256", "title", "date", "pages", "score", "snippet", "all_words"],
    "properties": {
        "doc_id": _STRING,
        "sha256": _STRING,
        "title": _STRING,
        "date": _STRING,
        "pages": {"type": "array", "items": _INT},
        "score": {"type": "number"},
        "snippet": _STRING,
        "all_words": {"type": "boolean"},
        "same_text": _STRINGS,
    },
}
_SEARCH = {
    "type": "object",
    "required": ["query", "total", "offset", "hits", "facets", "suggestion", "notice"],
    "properties": {
        "query": _STRING,
        "total": _INT,
        "offset": _INT,
        "hits": {"type": "array", "items": _HIT},
        "facets": {
            "type": "object",
            "additionalProperties": {
                "type": "array",
                "items": {"type": "array", "prefixItems": [_STRING, _INT], "minItems": 2},
            },
        },
        "suggestion": _STRING,
        "notice": _STRING,
    },
}
_EXTRACTED = {
    "type": "object",
    "required": ["value", "page", "method", "text", "kind"],
    "properties": {
        "value": _STRING,
        "page": _INT,
        "method": _STRING,
        "text": _STRING,
        "kind": _STRING,
    },
}
_DOCUMENT = {
    "type": "object",
    "required": [
        "doc_id",
        "sha256",
        "original_name",
        "media_type",
        "size",
        "ingested_at",
        "page_count",
        "withdrawn",
        "title",
        "date",
        "type",
        "issuer",
        "note",
        "dates",
        "references",
        "persons",
        "places",
        "metadata",
        "corrections",
        "derivatives",
        "pages",
    ],
    "properties": {
        "doc_id": _STRING,
        "sha256": _STRING,
        "original_name": _STRING,
        "media_type": _STRING,
        "size": _INT,
        "ingested_at": _STRING,
        "page_count": _INT,
        "withdrawn": _STRING,
        "withdrawn_readable": {"type": "boolean"},
        "title": _STRING,
        "date": _STRING,
        "type": _STRING,
        "issuer": _STRING,
        "note": _STRING,
        "dates": _STRINGS,
        "references": _STRINGS,
        "persons": _STRINGS,
        "places": _STRINGS,
        "metadata": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["value", "corrected", "extracted"],
                "properties": {
                    "corrected": {"type": "boolean"},
                    "extracted": {"type": "array", "items": _EXTRACTED},
                },
            },
        },
        "corrections": {
            "type": "array",
            "items": {"type": "object", "required": ["field", "old", "new", "editor", "at"]},
        },
        "derivatives": {
            "type": "array",
            "items": {"type": "object", "required": ["kind", "media_type", "sha256", "size"]},
        },
        "same_text": {
            "type": "array",
            "items": {"type": "object", "required": ["doc_id", "similarity", "found_at"]},
        },
        "pages": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "number",
                    "text",
                    "method",
                    "raw",
                    "confidence",
                    "rotation",
                    "problem",
                ],
                "properties": {
                    "number": _INT,
                    "text": _STRING,
                    "method": _STRING,
                    "confidence": {"type": "number"},
                    "rotation": _INT,
                },
            },
        },
    },
}
_CITATION = {
    "type": "object",
    "required": ["doc_id", "format", "page", "citation"],
    "properties": {
        "doc_id": _STRING,
        "format": _STRING,
        "page": {"type": ["integer", "null"]},
        "citation": _STRING,
    },
}
_JOB = {
    "type": "object",
    "required": [
        "job_id",
        "file_name",
        "metadata",
        "status",
        "submitted_by",
        "submitted_at",
        "updated_at",
        "pages_done",
        "pages_total",
        "doc_id",
        "error",
        "batch",
        "attempts",
        "worker",
        "started_at",
        "finished_at",
    ],
    "properties": {
        "job_id": _STRING,
        "file_name": _STRING,
        "metadata": {"type": "object"},
        "status": {"enum": ["queued", "processing", "done", "failed"]},
        "pages_done": _INT,
        "pages_total": _INT,
        "doc_id": _STRING,
        "error": _STRING,
        "batch": _STRING,
        "attempts": _INT,
        "worker": _STRING,
        "started_at": _STRING,
        "finished_at": _STRING,
    },
}
SCHEMAS = {
    "Error": _ERROR,
    "SearchResults": _SEARCH,
    "Document": _DOCUMENT,
    "Citation": _CITATION,
    "Job": _JOB,
    "Jobs": {
        "type": "object",
        "required": ["jobs"],
        "properties": {"jobs": {"type": "array", "items": _JOB}},
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _responses(ok: int, schema: str, *errors: int) -> dict[str, Any]:
    out = {
        str(ok): {"description": "OK", "content": {"application/json": {"schema": _ref(schema)}}}
    }
    for code in (401, *errors):
        out[str(code)] = {
            "description": "Fehler",
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    return out


def _param(name: str, *, required: bool = False, schema: dict | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema or _STRING}


def openapi_document() -> dict[str, Any]:
    """The API description: paths, parameters and the schema of every response."""
    doc_id = {"name": "doc_id", "in": "path", "required": True, "schema": _STRING}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Findbuch API", "version": "1"},
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"token": []}],
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "Suchen",
                    "parameters": [
                        _param("q", required=True),
                        _param("limit", schema={"type": "integer", "minimum": 1, "maximum": 100}),
                        _param("offset", schema={"type": "integer", "minimum": 0}),
                        _param("sort", schema={"enum": ["relevance", "newest", "oldest"]}),
                    ],
                    "responses": _responses(200, "SearchResults", 400),
                }
            },
            "/api/documents/{doc_id}": {
                "get": {
                    "summary": "Ein Dokument",
                    "parameters": [doc_id],
                    "responses": _responses(200, "Document", 404),
                }
            },
            "/api/documents/{doc_id}/citation": {
                "get": {
                    "summary": "Zitat eines Dokuments oder einer Seite",
                    "parameters": [
                        doc_id,
                        _param("format", schema={"enum": ["text", "bibtex", "ris", "csl-json"]}),
                        _param("page", schema={"type": "integer", "minimum": 0}),
                    ],
                    "responses": _responses(200, "Citation", 400, 404),
                }
            },
            "/api/uploads": {
                "post": {
                    "summary": "Dateien hochladen (Archivar, API-Token)",
                    "requestBody": {
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "files": {
                                            "type": "array",
                                            "items": {"type": "string", "format": "binary"},
                                        },
                                        "typ": _STRING,
                                        "herausgeber": _STRING,
                                        "datum": _STRING,
                                        "notiz": _STRING,
                                    },
                                }
                            }
                        }
                    },
                    "responses": _responses(202, "Jobs", 400, 403),
                }
            },
            "/api/jobs/{job_id}": {
                "get": {
                    "summary": "Stand eines Hochladeauftrags (nur Archivare)",
                    "parameters": [
                        {"name": "job_id", "in": "path", "required": True, "schema": _STRING}
                    ],
                    "responses": _responses(200, "Job", 403, 404),
                }
            },
        },
    }
