"""Export documents as a BagIt bag and import such a bag into another home, ids unchanged.

Layout inside ``data/``: one folder per document id with ``original<ext>`` (the original,
byte for byte), and ``metadata.json`` (catalog record, Dublin Core mapping, extracted values
with their sources, corrections, page texts). The bag's manifests carry SHA-256 checksums.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import tempfile
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bagit

from archive.catalog import WITHDRAWN, WITHDRAWN_READABLE, doc_id_for
from archive.models import Correction, Derivative, Document, ExtractedValue, Page
from archive.store import sha256_file
from common.errors import FindbuchError
from common.fields import DOCUMENT_TYPES, FIELDS

if TYPE_CHECKING:  # archive/__init__ imports this module
    from archive import Archive

METADATA_FILE = "metadata.json"
# Appended to the editor of every correction a bag brings (#17).
IMPORTED_MARK = " (importiert)"
_SAFE_SUFFIXES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/tiff": ".tif",
    "text/plain": ".txt",
    "application/gzip": ".tsv.gz",
}


def dublin_core(doc: Document) -> dict[str, Any]:
    """The document's metadata in Dublin Core terms."""
    return {
        "dc:identifier": [doc.doc_id, f"sha256:{doc.sha256}"],
        "dc:title": doc.title or doc.original_name,
        "dc:date": doc.date,
        "dc:type": DOCUMENT_TYPES.get(doc.doc_type, doc.doc_type),
        "dc:publisher": doc.issuer,
        "dc:format": doc.media_type,
        "dc:source": doc.original_name,
        "dc:subject": doc.lists.get("persons", []),
        "dc:coverage": doc.lists.get("places", []),
        "dc:relation": doc.lists.get("references", []),
        "dc:language": "de",
    }


def export_bag(archive: Archive, doc_ids: list[str], target: Path) -> int:
    """Write the documents into a new BagIt bag at ``target``; returns how many.

    The bag is built in a temporary folder beside ``target`` and renamed when complete, so an
    interrupted export leaves no half-written bag.

    Raises:
        FindbuchError: the target exists already, or a document is unknown.
    """
    if target.exists():
        raise FindbuchError(f"{target} existiert bereits; bitte ein neues Verzeichnis angeben.")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".export-"))
    try:
        for doc_id in doc_ids:
            _write_document(archive, doc_id, staging / doc_id)
        bagit.make_bag(
            str(staging),
            {"Source-Organization": "Findbuch", "External-Description": "Findbuch-Export"},
            checksums=["sha256"],
        )
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return len(doc_ids)


def _write_document(archive: Archive, doc_id: str, folder: Path) -> None:
    catalog = archive.catalog
    doc = catalog.get(doc_id)
    if doc is None:
        raise FindbuchError(f"Kein Dokument mit der Kennung {doc_id!r} im Archiv.")
    folder.mkdir()
    suffix = _SAFE_SUFFIXES.get(doc.media_type, ".bin")
    shutil.copyfile(archive.store.path_for(doc.sha256), folder / f"original{suffix}")
    derivatives = catalog.derivatives(doc_id)
    for d in derivatives:
        shutil.copyfile(archive.derivative_store.path_for(d.sha256), folder / _file_name(d))
    record = {
        "document": {**asdict(doc), "corrected": sorted(doc.corrected)},
        "dublin_core": dublin_core(doc),
        "original": f"original{suffix}",
        "extracted": [asdict(v) for v in catalog.extracted(doc_id)],
        "corrections": [asdict(c) for c in catalog.corrections(doc_id)],
        "pages": [asdict(p) for p in catalog.pages(doc_id)],
        "derivatives": [{**asdict(d), "file": _file_name(d)} for d in derivatives],
    }
    (folder / METADATA_FILE).write_text(
        json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8"
    )


def _file_name(derivative: Derivative) -> str:
    return f"{derivative.kind}{_SAFE_SUFFIXES.get(derivative.media_type, '.bin')}"


def import_bag(archive: Archive, source: Path) -> list[tuple[str, str]]:
    """Bring the documents of a bag into this archive with identical ids and checksums.

    A bag brings only itself (#17): it must consist of folders and regular files (no links,
    devices or pipes), every file a document names lies in that document's folder and has
    the size its record gives, and a record describes only the document of its own
    original, so it can neither read outside the bag nor change another document. The
    history it brings is kept with each editor marked ``(importiert)``.

    Returns:
        ``(doc_id, status)`` per document, status ``added`` or ``duplicate``.

    Raises:
        FindbuchError: the bag is invalid (a checksum or file does not match its manifest, a
            record is damaged or names a file outside its folder or another document).
    """
    _refuse_special_files(source)
    try:
        bag = bagit.Bag(str(source))
        bag.validate()
    except (bagit.BagError, bagit.BagValidationError) as e:
        raise FindbuchError(f"{source} ist kein gültiger BagIt-Export: {e}") from e
    results = []
    for record_path in sorted((source / "data").glob(f"*/{METADATA_FILE}")):
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            results.append(_import_document(archive, record, record_path.parent))
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise FindbuchError(f"{record_path}: Metadaten unvollständig oder falsch ({e}).") from e
    return results


def _refuse_special_files(source: Path) -> None:
    """Only folders and regular files: a link could lead outside, /dev/zero never ends."""
    if not source.is_dir() or source.is_symlink():
        raise FindbuchError(f"{source} ist kein Verzeichnis mit einem BagIt-Export.")
    for path in source.rglob("*"):
        mode = path.lstat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise FindbuchError(f"{path}: nur gewöhnliche Dateien dürfen in einem Export liegen.")


def _import_document(archive: Archive, record: dict[str, Any], folder: Path) -> tuple[str, str]:
    catalog = archive.catalog
    fields = dict(record["document"])
    fields["corrected"] = frozenset(fields["corrected"])
    doc = Document(**fields)
    if doc.doc_id != doc_id_for(doc.sha256) or folder.name != doc.doc_id:
        raise FindbuchError(f"{folder}: Kennung und Prüfsumme gehören nicht zusammen.")
    if catalog.get_by_sha256(doc.sha256) is not None:
        return doc.doc_id, "duplicate"
    original = _own_file(folder, record["original"], doc.size)
    if sha256_file(original) != doc.sha256:
        raise FindbuchError(f"{original}: Prüfsumme stimmt nicht mit den Metadaten überein.")
    derivatives: dict[Derivative, bytes] = {}
    for item in record.get("derivatives", []):
        derivative = Derivative(**{k: v for k, v in item.items() if k != "file"})
        data = _own_file(folder, item["file"], derivative.size).read_bytes()
        if hashlib.sha256(data).hexdigest() != derivative.sha256:
            raise FindbuchError(f"{folder}: Prüfsumme von {derivative.kind} stimmt nicht.")
        derivatives[derivative] = data
    corrections = [_imported(Correction(**c)) for c in record["corrections"]]
    pages = [Page(**p) for p in record["pages"]]
    extracted = [ExtractedValue(**v) for v in record["extracted"]]
    archive.store.put(original, doc.sha256)
    for data in derivatives.values():
        archive.derivative_store.put_bytes(data)
    catalog.restore(doc, pages, extracted, corrections, list(derivatives))
    return doc.doc_id, "added"


def _own_file(folder: Path, name: str, size: int) -> Path:
    """A regular file directly in the document's folder, of the size its record gives."""
    path = folder / name
    if Path(name).name != name or name in ("", ".", "..") or not path.is_file():
        raise FindbuchError(f"{folder}: „{name}“ liegt nicht im Ordner des Dokuments.")
    if path.is_symlink() or path.stat().st_size != size:
        raise FindbuchError(f"{path}: Größe stimmt nicht mit den Metadaten überein.")
    return path


def _imported(correction: Correction) -> Correction:
    """Brought history is marked: it was made elsewhere and cannot be checked here."""
    if correction.field not in (*FIELDS, WITHDRAWN, WITHDRAWN_READABLE):
        raise FindbuchError(f"Unbekanntes Feld „{correction.field}“ in der Änderungsgeschichte.")
    if correction.editor.endswith(IMPORTED_MARK):
        return correction
    return replace(correction, editor=f"{correction.editor}{IMPORTED_MARK}")
