"""The OCR part of the benchmark: every engine side by side on the same pages.

For each page of the generated set, one worker process runs, one after the other on the same
core: bare tesseract (``--oem 1 --psm 3`` on the page as decoded, what a script would do),
then our OCR stage (cleanup + recognition) with each engine. OCRmyPDF (``--rotate-pages
--deskew --clean``, text by ``pdftotext -layout``) runs per document in the same pool when
it is installed (``make bench`` installs it). Scored per degradation level and for faxed
(bilevel) pages: CER, WER, order-free bag-of-words F1, seconds per page (wall and CPU) and
the ratios to bare tesseract, orientation and skew residuals, and the review flags our OCR
raises (``ocr/page.unreliable``).

Nothing here is a pass/fail test: the ratios in one run are the point.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.settings import Settings

ENGINES = ("tesseract", "rapidocr", "auto")
BARE = "bare tesseract"
OCRMYPDF = "ocrmypdf"
# A page read with a CER above this needs a person; the review flag should catch it.
BAD_PAGE_CER = 0.02


@dataclass(frozen=True)
class PageRun:
    """One system's reading of one page."""

    text: str
    seconds: float
    cpu_seconds: float  # of this process and the programs it ran (tesseract, OCRmyPDF)
    flagged: bool | None = None  # our OCR sends the page to review (None: not ours)
    rotation: int | None = None
    skew: float | None = None


def _read_page(args: tuple[str, int, Settings]) -> dict[str, PageRun]:
    """Worker: bare tesseract and our OCR stage with each engine, on one page."""
    import cv2
    import pytesseract

    from pipeline.ocr.engine import get_engine
    from pipeline.ocr.load import inspect_source, load_page
    from pipeline.ocr.page import read_upright, unreliable
    from pipeline.settings import configure_process

    configure_process()
    cv2.setNumThreads(1)
    path, index, settings = args
    source = inspect_source(path, cfg=settings.load)
    raw = load_page(source, index, cfg=settings.load)
    out: dict[str, PageRun] = {}
    started, cpu = time.perf_counter(), _cpu_seconds()
    text = pytesseract.image_to_string(raw.image, config="--oem 1 --psm 3")
    out[BARE] = PageRun(text, time.perf_counter() - started, _cpu_seconds() - cpu)
    for name in ENGINES:
        engine = get_engine(name)
        cfg = settings.ocr.model_copy(update={"engine": name})
        # Build the ONNX sessions outside the timing: a worker does it once, not per page.
        warm_up = getattr(engine, "warm_up", None)
        if warm_up:
            warm_up()
        started, cpu = time.perf_counter(), _cpu_seconds()
        clean, page = read_upright(raw, engine=engine, cleanup=settings.cleanup, cfg=cfg)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        flagged = unreliable(page, cfg)
        out[name] = PageRun(page.text, seconds, cpu, flagged, clean.rotation, clean.skew)
    return out


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (tesseract runs as one).

    Unlike wall time it does not count time the machine gave to others: on a shared
    virtual machine wall-time ratios drifted by 15 % between runs of the same code.
    """
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _ocrmypdf_doc(args: tuple[str, int]) -> list[PageRun]:
    """Worker: OCRmyPDF on one document (one job), its text per page by pdftotext."""
    path, pages = args
    with tempfile.TemporaryDirectory() as tmp:
        out_pdf = os.path.join(tmp, "out.pdf")
        started, cpu = time.perf_counter(), _cpu_seconds()
        done = subprocess.run(
            [
                _ocrmypdf(),
                "--rotate-pages",
                "--deskew",
                "--clean",
                "--force-ocr",
                "-l",
                "eng",
                "--jobs",
                "1",
                "--output-type",
                "pdf",
                "--image-dpi",
                "300",
                "-q",
                path,
                out_pdf,
            ],
            capture_output=True,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
        seconds = (time.perf_counter() - started) / max(1, pages)
        cpu = (_cpu_seconds() - cpu) / max(1, pages)
        if done.returncode != 0:
            return [PageRun("", seconds, cpu) for _ in range(pages)]
        texts = []
        for i in range(1, pages + 1):
            text = subprocess.run(
                ["pdftotext", "-layout", "-f", str(i), "-l", str(i), out_pdf, "-"],
                capture_output=True,
                text=True,
            ).stdout
            texts.append(text)
    return [PageRun(t, seconds, cpu) for t in texts]


def _ocrmypdf() -> str:
    """The ocrmypdf command: beside this Python (the venv) or on PATH."""
    beside = Path(sys.executable).parent / "ocrmypdf"
    return str(beside) if beside.exists() else shutil.which("ocrmypdf") or "ocrmypdf"


def ocrmypdf_available() -> bool:
    """Whether OCRmyPDF and pdftotext can run here (``make bench`` installs them)."""
    found = Path(_ocrmypdf()).exists() or shutil.which("ocrmypdf") is not None
    return found and shutil.which("pdftotext") is not None


def run_ocr_bench(
    truths: dict[str, dict[str, Any]], scans: dict[str, str], *, jobs: int, settings: Settings
) -> dict[str, Any]:
    """Every system on every page; the figures for the report."""
    tasks, keys = [], []
    for name, truth in truths.items():
        for i in range(len(truth["pages"])):
            tasks.append((scans[name], i, settings))
            keys.append((name, i))
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        runs = dict(zip(keys, pool.map(_read_page, tasks), strict=True))
        if ocrmypdf_available():
            docs = list(truths)
            per_doc = pool.map(_ocrmypdf_doc, [(scans[d], len(truths[d]["pages"])) for d in docs])
            for d, pages in zip(docs, per_doc, strict=True):
                for i, run in enumerate(pages):
                    runs[(d, i)][OCRMYPDF] = run
    return score(truths, runs)


def score(
    truths: dict[str, dict[str, Any]],
    runs: dict[tuple[str, int], dict[str, PageRun]],
) -> dict[str, Any]:
    """Per system: CER/WER/bag-of-words F1 by level, time, geometry and review flags."""
    from pipeline.bench import edit_counts, tokens

    systems = sorted({s for r in runs.values() for s in r}, key=_order)
    groups = ("clean", "moderate", "heavy")
    acc: dict[str, dict[str, Any]] = {
        s: {
            "edits": {g: [0, 0, 0, 0] for g in groups},
            "bow": {g: [0, 0, 0] for g in groups},
            "pages": 0,
            "seconds": 0.0,
            "bare_seconds": 0.0,
            "cpu": 0.0,
            "bare_cpu": 0.0,
            "turned": [0, 0],
            "skew": [],
            "flags": {"bad": 0, "bad_flagged": 0, "flagged": 0, "flagged_bad": 0},
            "clean_flagged": [0, 0],
        }
        for s in systems
    }
    for (name, i), by_system in runs.items():
        truth = truths[name]
        page = truth["pages"][i]
        level = truth["degradation"]
        bare = by_system.get(BARE)
        for system, run in by_system.items():
            a = acc[system]
            counts = edit_counts(run.text, page["text"])
            for k, v in enumerate(counts):
                a["edits"][level][k] += v
            hyp, ref = Counter(tokens(run.text)), Counter(tokens(page["text"]))
            a["bow"][level][0] += sum((hyp & ref).values())
            a["bow"][level][1] += sum(hyp.values())
            a["bow"][level][2] += sum(ref.values())
            a["pages"] += 1
            a["seconds"] += run.seconds
            a["bare_seconds"] += bare.seconds if bare else 0.0
            a["cpu"] += run.cpu_seconds
            a["bare_cpu"] += bare.cpu_seconds if bare else 0.0
            if run.rotation is not None:
                if page["rotation"]:
                    a["turned"][1] += 1
                    a["turned"][0] += int(run.rotation == page["rotation"])
                if run.skew is not None:
                    # Truth skew turned the page counter-clockwise; ours straightens it.
                    a["skew"].append(abs(run.skew + page["skew"]))
            if run.flagged is not None:
                cer = counts[0] / max(1, counts[1])
                flagged = run.flagged
                bad = cer > BAD_PAGE_CER
                f = a["flags"]
                f["bad"] += bad
                f["bad_flagged"] += bad and flagged
                f["flagged"] += flagged
                f["flagged_bad"] += flagged and bad
                if level == "clean":
                    a["clean_flagged"][0] += flagged
                    a["clean_flagged"][1] += 1
    return {s: _figures(acc[s]) for s in systems}


def _figures(a: dict[str, Any]) -> dict[str, Any]:
    from pipeline.bench import _ratio, prf

    out: dict[str, Any] = {
        "cer": {g: _ratio(v[0], v[1]) for g, v in a["edits"].items() if v[1]},
        "wer": {g: _ratio(v[2], v[3]) for g, v in a["edits"].items() if v[3]},
        "bow_f1": {g: prf(*v)["f1"] for g, v in a["bow"].items() if v[2]},
        "seconds_per_page": _ratio(a["seconds"], a["pages"]),
        "ratio_to_bare": _ratio(a["seconds"], a["bare_seconds"]),
        "cpu_seconds_per_page": _ratio(a["cpu"], a["pages"]),
        "cpu_ratio_to_bare": _ratio(a["cpu"], a["bare_cpu"]),
        "pages": a["pages"],
    }
    if a["turned"][1]:
        out["turned_pages_upright"] = [a["turned"][0], a["turned"][1]]
    if a["skew"]:
        out["skew_residual_max"] = round(max(a["skew"]), 3)
        out["skew_residual_mean"] = round(sum(a["skew"]) / len(a["skew"]), 3)
    f = a["flags"]
    if f["bad"] or f["flagged"] or a["clean_flagged"][1]:
        out["review"] = {
            "bad_pages": f["bad"],
            "bad_pages_flagged": _ratio(f["bad_flagged"], f["bad"]) if f["bad"] else None,
            "flagged_pages": f["flagged"],
            "flagged_really_bad": _ratio(f["flagged_bad"], f["flagged"]) if f["flagged"] else None,
            "clean_pages_flagged": _ratio(*a["clean_flagged"]),
        }
    return out


def _order(system: str) -> tuple[int, str]:
    rank = {BARE: 0, OCRMYPDF: 1, "tesseract": 2, "rapidocr": 3, "auto": 4}
    return rank.get(system, 9), system


def render_ocr(figures: dict[str, Any]) -> list[str]:
    """The OCR section of BENCHMARKS.md."""
    groups = [
        g for g in ("clean", "moderate", "heavy") if any(g in f["cer"] for f in figures.values())
    ]
    systems = list(figures)
    head = "| metric | " + " | ".join(systems) + " |"
    lines = [
        "## OCR engines",
        "",
        "Each page read by every system in the same worker process, one after the other. "
        "`tesseract`, `rapidocr` and `auto` (the default) are our OCR stage (cleanup + "
        "recognition) with that engine; seconds include cleanup and OSD; CPU time counts this "
        "process and the programs it runs, not time the machine gave to others. "
        "`bare tesseract` is "
        "`--oem 1 --psm 3` on the page as decoded; `ocrmypdf` is `--rotate-pages --deskew "
        "--clean` with `pdftotext -layout`. Every heavy page of the generator is a fax (bilevel, "
        "150-200 DPI, faded, speckled), so heavy is the faxed figure too.",
        "",
        head,
        "|" + "---|" * (len(systems) + 1),
    ]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    for metric, label in (("cer", "CER"), ("wer", "WER"), ("bow_f1", "bag-of-words F1")):
        for g in groups:
            row(f"{label} {g}", [_fmt(figures[s][metric].get(g)) for s in systems])
    row("seconds per page", [f"{figures[s]['seconds_per_page']:.2f}" for s in systems])
    row("time / bare tesseract", [f"{figures[s]['ratio_to_bare']:.2f}x" for s in systems])
    row("CPU seconds per page", [f"{figures[s]['cpu_seconds_per_page']:.2f}" for s in systems])
    row("CPU time / bare tesseract", [f"{figures[s]['cpu_ratio_to_bare']:.2f}x" for s in systems])
    row(
        "turned pages upright",
        [
            "{}/{}".format(*figures[s]["turned_pages_upright"])
            if "turned_pages_upright" in figures[s]
            else "—"
            for s in systems
        ],
    )
    row(
        "skew residual max / mean (deg)",
        [
            f"{figures[s]['skew_residual_max']:.2f} / {figures[s]['skew_residual_mean']:.2f}"
            if "skew_residual_max" in figures[s]
            else "—"
            for s in systems
        ],
    )
    for key, label in (
        ("bad_pages", f"pages with CER > {BAD_PAGE_CER}"),
        ("bad_pages_flagged", "... of them flagged for review"),
        ("flagged_pages", "pages flagged for review"),
        ("flagged_really_bad", f"... of them with CER > {BAD_PAGE_CER}"),
        ("clean_pages_flagged", "clean pages flagged"),
    ):
        row(label, [_fmt(figures[s].get("review", {}).get(key)) for s in systems])
    lines.append("")
    return lines


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, int):
        return str(v)
    return f"{v:.3f}"
