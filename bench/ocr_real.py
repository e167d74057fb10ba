"""OCR on real layouts: Findbuch's page reading beside raw ``tesseract IMG - -l deu``.

The BGBl forms of ../shared/corpus/bgbl/text_layer whose text layer is their printed text are
rendered as an office scanner delivers them (200 dpi grey, 300 dpi grey, and 200 dpi JPEG
quality 60 turned by about 1 degree with light noise, fixed seed) and scored against that text
layer; real scans with human transcriptions are scored against the transcriptions. Both
readers see the same image file in the same worker, one after the other, so that load from
other processes hits both alike.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from bench.common import machine, require_shared
from bench.ocr_score import Score, score
from common.settings import Settings

FORMS = "corpus/bgbl/text_layer"
# Text layers that are not the printed text: glyph codes shifted (k_kinduvv, k_kapausstv),
# and a formula drawn in a symbol font whose layer reads "„F x 450 þ" (s_sgb_6).
SKIPPED = ("k_kinduvv", "k_kapausstv", "s_sgb_6")
# A layer spacing the letters of its words apart (``BU NDESREPUBL IK``, a heading set with
# letter-spacing) is not the printed text either: pages with more of their tokens in such
# pieces are skipped. On the forms the share is 0.54 on the one such page, 0 on all others.
SPACED_OUT = 0.10
_LETTERS_ONLY = re.compile(r"[A-Za-zÄÖÜäöüß]+")
RENDERINGS = ("200 dpi grey", "300 dpi grey", "200 dpi JPEG q60, 1°, noise")
SEED = 18
TESSERACT_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


@dataclass(frozen=True)
class Sample:
    """One page image and the text on it."""

    set_name: str
    name: str
    image: Path
    truth: str


@dataclass(frozen=True)
class Result:
    """One sample read both ways."""

    sample: Sample
    raw: Score
    ours: Score
    raw_seconds: float
    our_seconds: float
    flagged: bool


def spaced_out(layer: str) -> float:
    """Share of the layer's tokens that are pieces of a word spaced apart within a line.

    A piece is a letters-only token; two to four adjacent pieces, not all of them words, that
    join into a word of six letters or more (``BU NDESREPUBL IK``) are counted.
    """
    from common.wordlist import german_words
    from ingest.quality import is_word

    words = german_words().words
    tokens = pieces = 0
    for line in layer.splitlines():
        parts = line.split()
        tokens += len(parts)
        i = 0
        while i < len(parts):
            run = 0
            for j in range(i + 2, min(i + 4, len(parts)) + 1):
                chunk = parts[i:j]
                joined = "".join(chunk)
                if (
                    all(_LETTERS_ONLY.fullmatch(p) for p in chunk)
                    and not all(is_word(p, words) for p in chunk)
                    and len(joined) >= 6
                    and is_word(joined, words)
                ):
                    run = j - i
            pieces += run
            i += run or 1
    return pieces / tokens if tokens else 0.0


def form_pages(shared: Path) -> list[tuple[Path, int, str]]:
    """(PDF, page number, text layer) of every form page whose layer is its printed text."""
    pages = []
    for pdf in sorted((shared / FORMS).glob("*.pdf")):
        if pdf.name.startswith(SKIPPED):
            continue
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        count = int(next(li.split()[1] for li in info.splitlines() if li.startswith("Pages:")))
        for number in range(1, count + 1):
            text = subprocess.run(
                ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            share = spaced_out(text)
            if share > SPACED_OUT:
                print(f"Skipped {pdf.stem} p{number}: its layer spaces words apart ({share:.0%})")
                continue
            pages.append((pdf, number, text))
    return pages


def _render(pdf: Path, number: int, dpi: int, target: Path) -> Path:
    stem = target.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-gray", "-png", "-r", str(dpi), "-f", str(number), "-l", str(number),
         "-singlefile", str(pdf), str(stem)],
        check=True,
    )  # fmt: skip
    made = stem.with_suffix(".png")
    with Image.open(made) as img:
        img.save(made, dpi=(dpi, dpi))
    return made


def _office_jpeg(png: Path, target: Path, rng: np.random.Generator) -> Path:
    """The 200 dpi page turned by about a degree, with light noise, as JPEG quality 60."""
    grey = np.asarray(Image.open(png).convert("L"))
    angle = float(rng.uniform(0.8, 1.2) * rng.choice([-1, 1]))
    h, w = grey.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turned = cv2.warpAffine(grey, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    noisy = np.clip(turned + rng.normal(0, 12, turned.shape), 0, 255).astype(np.uint8)
    Image.fromarray(noisy).save(target, format="JPEG", quality=60, dpi=(200, 200))
    return target


def form_samples(shared: Path, folder: Path) -> list[Sample]:
    """Every usable form page in the three renderings."""
    rng = np.random.default_rng(SEED)
    samples = []
    for pdf, number, text in form_pages(shared):
        name = f"{pdf.stem[:24]}-p{number}"
        grey200 = _render(pdf, number, 200, folder / f"{name}-200.png")
        grey300 = _render(pdf, number, 300, folder / f"{name}-300.png")
        jpeg = _office_jpeg(grey200, folder / f"{name}-200q60.jpg", rng)
        for rendering, image in zip(RENDERINGS, (grey200, grey300, jpeg), strict=True):
            samples.append(Sample(f"forms, {rendering}", name, image, text))
    return samples


# Transcriptions of historical print (OCR-D level 2) keep the long s and the e above a vowel;
# Tesseract's ``deu`` reads today's letters, and neither reader is scored on the difference.
_MODERN = str.maketrans({"ſ": "s", "ꝛ": "r"})
_E_ABOVE = {
    "a\u0364": "ä",
    "o\u0364": "ö",
    "u\u0364": "ü",
    "A\u0364": "Ä",
    "O\u0364": "Ö",
    "U\u0364": "Ü",
}


def modern(text: str) -> str:
    """The transcription in today's letters: ``ſ`` as ``s``, ``aͤ`` as ``ä``."""
    for old, new in _E_ABOVE.items():
        text = text.replace(old, new)
    return text.translate(_MODERN)


def scan_samples(folder: Path) -> list[Sample]:
    """Real scans with transcriptions: ``NAME.png|jpg|tif`` beside ``NAME.gt.txt``."""
    samples = []
    for truth in sorted(folder.glob("*.gt.txt")):
        stem = truth.name.removesuffix(".gt.txt")
        for image in sorted(folder.glob(f"{stem}.*")):
            if image.suffix.lower() in (".png", ".jpg", ".jpeg", ".tif", ".tiff"):
                samples.append(
                    Sample(f"scans, {folder.name}", stem, image, modern(truth.read_text("utf-8")))
                )
    return samples


def raw_tesseract(image: Path) -> str:
    """What an archivist gets by hand: ``tesseract IMG - -l deu``."""
    done = subprocess.run(
        ["tesseract", str(image), "-", "-l", "deu"],
        capture_output=True, check=True, env=TESSERACT_ENV,
    )  # fmt: skip
    return done.stdout.decode("utf-8")


def findbuch_page(image: Path, settings: Settings) -> tuple[str, bool]:
    """The page as Findbuch stores it (read, cleaned) and whether it is flagged low quality."""
    from ingest.cleanup import clean_page_text
    from ingest.ocr import read_page
    from ingest.quality import low_quality

    with Image.open(image) as img:
        img.load()
        page = read_page(
            img, languages=settings.ocr_languages, timeout=settings.ocr_timeout,
            max_dpi=settings.ocr_dpi,
        )  # fmt: skip
    text = clean_page_text(page.text)
    return text, low_quality(page, text, settings.low_confidence)


def measure(sample: Sample) -> Result:
    """Raw first, then Findbuch, on the same image in the same process."""
    settings = Settings(home=Path(tempfile.gettempdir()))
    start = time.perf_counter()
    raw = raw_tesseract(sample.image)
    middle = time.perf_counter()
    ours, flagged = findbuch_page(sample.image, settings)
    end = time.perf_counter()
    return Result(
        sample, score(raw, sample.truth), score(ours, sample.truth), middle - start,
        end - middle, flagged,
    )  # fmt: skip


def _pct(x: float) -> str:
    return f"{x:.1%}"


def page_table(results: Sequence[Result]) -> None:
    """Per page: both readers' figures side by side."""
    print(
        "| set | page | CER raw / ours | CER w/o dot leaders raw / ours | WER raw / ours "
        "| words found raw / ours | numbers found raw / ours | lines lost raw / ours "
        "| seconds raw / ours | flagged |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        a, b = r.raw, r.ours
        print(
            f"| {r.sample.set_name} | {r.sample.name} | {_pct(a.cer)} / {_pct(b.cer)} "
            f"| {_pct(a.cer_no_leaders)} / {_pct(b.cer_no_leaders)} | {_pct(a.wer)} / "
            f"{_pct(b.wer)} | {_pct(a.words_found)} / {_pct(b.words_found)} | "
            f"{a.numbers_found}/{a.numbers} / {b.numbers_found}/{b.numbers} | {a.lines_lost} / "
            f"{b.lines_lost} | {r.raw_seconds:.1f} / {r.our_seconds:.1f} "
            f"| {'yes' if r.flagged else ''} |"
        )


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def set_table(results: Sequence[Result]) -> None:
    """Per set: means, images worse than raw by more than a CER point, numbers found."""
    print(
        "| set | images | mean CER raw / ours | mean CER w/o dot leaders raw / ours "
        "| mean CER, line-end hyphens joined raw / ours | mean WER raw / ours "
        "| numbers found raw / ours | lines lost raw / ours "
        "| § found raw / ours | worse / better by > 1 point (w/o leaders) | seconds raw / ours |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in dict.fromkeys(r.sample.set_name for r in results):
        rs = [r for r in results if r.sample.set_name == name]
        worse = sum(r.ours.cer_no_leaders > r.raw.cer_no_leaders + 0.01 for r in rs)
        better = sum(r.ours.cer_no_leaders < r.raw.cer_no_leaders - 0.01 for r in rs)
        print(
            f"| {name} | {len(rs)} | {_pct(_mean(r.raw.cer for r in rs))} / "
            f"{_pct(_mean(r.ours.cer for r in rs))} | "
            f"{_pct(_mean(r.raw.cer_no_leaders for r in rs))} / "
            f"{_pct(_mean(r.ours.cer_no_leaders for r in rs))} | "
            f"{_pct(_mean(r.raw.cer_hyphens_joined for r in rs))} / "
            f"{_pct(_mean(r.ours.cer_hyphens_joined for r in rs))} | "
            f"{_pct(_mean(r.raw.wer for r in rs))} / {_pct(_mean(r.ours.wer for r in rs))} | "
            f"{sum(r.raw.numbers_found for r in rs)} / {sum(r.ours.numbers_found for r in rs)} "
            f"| {sum(r.raw.lines_lost for r in rs)} / {sum(r.ours.lines_lost for r in rs)} "
            f"| {sum(r.raw.sections_found for r in rs)} / {sum(r.ours.sections_found for r in rs)}"
            f" of {sum(r.raw.sections for r in rs)} | {worse} / {better} | "
            f"{sum(r.raw_seconds for r in rs):.1f} / "
            f"{sum(r.our_seconds for r in rs):.1f} |"
        )


def flag_table(results: Sequence[Result], threshold: float = 0.30) -> None:
    """The low-quality flag against Findbuch's own WER, and against words missed (any order).

    For all pages, then for the forms and the scans alone.
    """
    for group in ("", "forms", "scans"):
        rs = [r for r in results if r.sample.set_name.startswith(group)]
        if not rs:
            continue
        flagged = [r.flagged for r in rs]
        for label, bad in (
            (f"WER > {threshold:.0%}", [r.ours.wer > threshold for r in rs]),
            (f"words missed > {threshold:.0%}", [1 - r.ours.words_found > threshold for r in rs]),
        ):
            hits = sum(b and f for b, f in zip(bad, flagged, strict=True))
            precision = hits / sum(flagged) if any(flagged) else 1.0
            recall = hits / sum(bad) if any(bad) else 1.0
            print(
                f"Low-quality flag vs Findbuch {label} ({group or 'all'}): {sum(flagged)} "
                f"flagged, {sum(bad)} bad, {hits} both: precision {precision:.2f}, "
                f"recall {recall:.2f}"
            )


def main() -> None:
    """Render the forms, add the scan sets given, read everything both ways, print tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scans", type=Path, action="append", default=[],
        help="folder of real scans with NAME.gt.txt transcriptions (repeatable)",
    )  # fmt: skip
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", default="", help="only samples whose name contains this")
    args = parser.parse_args()
    shared = require_shared()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        samples = form_samples(shared, Path(tmp))
        for folder in args.scans:
            samples += scan_samples(folder)
        samples = [s for s in samples if args.only in s.name]
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(measure, samples))
    results.sort(key=lambda r: (r.sample.set_name, r.sample.name))
    print(f"Machine: {machine()} (shared with other sessions)")
    print(f"Command: cd {Path.cwd()} && {' '.join(sys.orig_argv)}")
    print(f"Load average (1 min) before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f}\n")
    set_table(results)
    print()
    flag_table(results)
    print()
    page_table(results)


if __name__ == "__main__":
    main()
