"""Drawing a tall PDF page (issue 17): the page image as served, against scaling by width alone.

Each drawing runs in a fresh process, so its peak memory (``ru_maxrss``) is its own; the two
ways alternate. The baseline is what ``web/images.py`` did before: scale the page to the
requested width, whatever its height, then shrink the picture.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine


def strip_pdf(path: Path) -> Path:
    """A PDF whose one page is 10 x 14,400 points, with a text layer (the page-image bomb)."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=(10, 14400))
    pdf.add_page()
    pdf.set_font("helvetica", size=2)
    for line in range(60):
        pdf.text(0.5, 20 + line * 200, f"Streifen{line}")
    pdf.output(str(path))
    return path


def _draw(way: str, path: Path, width: int) -> dict:
    """In the child: draw once, report seconds, peak MB and the picture's size."""
    import pypdfium2

    from web.images import page_png  # imported before the clock starts, as in the server

    start = time.perf_counter()
    if way == "served":
        png = page_png(path, "application/pdf", 1, width=width)
        size = (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big"))
    else:
        pdf = pypdfium2.PdfDocument(path)
        page = pdf[0]
        image = page.render(scale=width / page.get_width()).to_pil()
        image.thumbnail((width, width * 2))
        size = image.size
        pdf.close()
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"way": way, "seconds": round(seconds, 3), "peak_mb": round(peak_mb), "size": size}


def main() -> None:
    """Alternate both ways ``--rounds`` times and print one JSON line per drawing."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--width", type=int, default=700)
    parser.add_argument("--child", nargs=2, metavar=("WAY", "PDF"))
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_draw(args.child[0], Path(args.child[1]), args.width)))
        return
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        pdf = strip_pdf(Path(folder) / "streifen.pdf")
        for _ in range(args.rounds):
            for way in ("width_only", "served"):
                child = [sys.executable, "-m", "bench.page_image", "--width", str(args.width)]
                subprocess.run([*child, "--child", way, str(pdf)], check=True)


if __name__ == "__main__":
    main()
