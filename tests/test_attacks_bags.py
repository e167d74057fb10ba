"""Crafted BagIt bags (issue 17): a bag brings only itself, through the real command."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import bagit
import pytest
from conftest import NRW_PDF, PRESS_PDF, run_cli, search_json

FINDBUCH = Path(sys.executable).parent / "findbuch"


def _import(home: Path, bag: Path) -> subprocess.CompletedProcess:
    """``findbuch import-bag`` as a process; a hang fails the test instead of the suite."""
    return subprocess.run(
        [FINDBUCH, "--home", home, "import-bag", bag],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _show(home: Path, doc_id: str) -> dict:
    return json.loads(run_cli("--home", str(home), "show", doc_id, "--json").stdout)


def _ingested(home: Path, path: Path) -> str:
    result = run_cli("--home", str(home), "ingest", str(path), "--json")
    return json.loads(result.stdout)["doc_id"]


@pytest.fixture
def bag(tmp_path: Path) -> tuple[Path, str]:
    """A real export of the press release, from a home of its own."""
    source = tmp_path / "quelle"
    doc_id = _ingested(source, PRESS_PDF)
    target = tmp_path / "export"
    assert run_cli("--home", str(source), "export", doc_id, "--to", str(target)).exit_code == 0
    return target, doc_id


def _rewrite(bag: Path, doc_id: str, change) -> None:
    """Change a record as an attacker would, then make the manifests fit again."""
    path = bag / "data" / doc_id / "metadata.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(json.dumps(record), encoding="utf-8")
    bagit.Bag(str(bag)).save(manifests=True)


def test_a_bag_cannot_withdraw_or_correct_another_document(tmp_path: Path, bag) -> None:
    folder, own_id = bag
    home = tmp_path / "home"
    victim = _ingested(home, NRW_PDF)
    forged = {"editor": "archivarin", "at": "2020-01-01T00:00:00+00:00"}

    def aim_at_victim(record: dict) -> None:
        record["document"]["doc_id"] = victim
        record["corrections"] = [
            {"field": "withdrawn", "old": "", "new": "Fälschung", **forged},
            {"field": "title", "old": "", "new": "Gefälschter Titel", **forged},
        ]

    _rewrite(folder, own_id, aim_at_victim)
    result = _import(home, folder)
    assert result.returncode == 1
    assert "Kennung und Prüfsumme gehören nicht zusammen" in result.stderr
    shown = _show(home, victim)
    assert shown["withdrawn"] == "" and shown["corrections"] == []
    assert search_json(home, "Dnipropetrowsk")["hits"][0]["doc_id"] == victim


def test_a_bag_cannot_bring_a_file_from_outside_itself(tmp_path: Path, bag) -> None:
    folder, own_id = bag
    secret = tmp_path / "geheim.txt"
    secret.write_text("Kennwort der Poststelle: Sonnenblume 42\n" * 3, encoding="utf-8")
    sha = hashlib.sha256(secret.read_bytes()).hexdigest()

    def point_outside(record: dict) -> None:
        record["document"].update(doc_id=sha[:16], sha256=sha, size=secret.stat().st_size)
        record["original"] = "../../../geheim.txt"
        record["derivatives"] = []

    _rewrite(folder, own_id, point_outside)
    (folder / "data" / own_id).rename(folder / "data" / sha[:16])
    bagit.Bag(str(folder)).save(manifests=True)
    home = tmp_path / "home"
    result = _import(home, folder)
    assert result.returncode == 1
    assert "liegt nicht im Ordner des Dokuments" in result.stderr
    assert search_json(home, "Sonnenblume")["total"] == 0


@pytest.mark.parametrize("original", ["/dev/zero", "../../../../../../../../../../dev/zero"])
def test_a_bag_naming_dev_zero_is_refused_at_once(tmp_path: Path, bag, original: str) -> None:
    folder, own_id = bag
    _rewrite(folder, own_id, lambda record: record.update(original=original))
    result = _import(tmp_path / "home", folder)
    assert result.returncode == 1
    assert "liegt nicht im Ordner des Dokuments" in result.stderr


def test_a_pipe_in_the_bag_is_refused_before_bagit_reads_it(tmp_path: Path, bag) -> None:
    folder, own_id = bag
    os.mkfifo(folder / "data" / own_id / "extra.txt")  # reading it would wait forever
    with (folder / "manifest-sha256.txt").open("a") as manifest:
        manifest.write(f"{'0' * 64}  data/{own_id}/extra.txt\n")
    info = folder / "bag-info.txt"  # without the payload's size, bagit would hash the pipe
    info.write_text(
        "".join(line for line in info.read_text().splitlines(True) if "Oxum" not in line)
    )
    for tag_manifest in folder.glob("tagmanifest-*.txt"):
        tag_manifest.unlink()
    result = _import(tmp_path / "home", folder)
    assert result.returncode == 1
    assert "nur gewöhnliche Dateien" in result.stderr


def test_history_a_bag_brings_is_marked_as_imported(tmp_path: Path, bag) -> None:
    folder, own_id = bag

    def with_history(record: dict) -> None:
        record["corrections"] = [
            {
                "field": "title",
                "old": "",
                "new": "Ein Titel von drüben",
                "editor": "archivarin",
                "at": "2020-01-01T00:00:00+00:00",
            }
        ]

    _rewrite(folder, own_id, with_history)
    home = tmp_path / "home"
    assert _import(home, folder).returncode == 0
    [correction] = _show(home, own_id)["corrections"]
    assert correction["editor"] == "archivarin (importiert)"
    assert correction["at"] == "2020-01-01T00:00:00+00:00"
