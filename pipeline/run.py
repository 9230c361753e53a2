"""process_document(): the stages composed for one document.

This is the one place where a failure becomes a record: any exception in any stage ends as a
``failed`` DocumentRecord with a code and fixed text (or a ``review`` record when only part
of the document is in doubt), and the caller carries on with the next document.

Page-level work (decode, cleanup, OCR, painting and re-reading redacted pages) is spread over
worker processes through ``Context.map_pages``; document-level work (extraction, PHI
detection, FHIR) runs in the calling process, which holds the NLP pipelines.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import pickle
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from pipeline import errors, layout
from pipeline.deid.boxes import doubtful_boxes, redaction_boxes
from pipeline.deid.image import paint
from pipeline.deid.safe_harbor import safe_harbor_report
from pipeline.deid.text import deidentify_text
from pipeline.errors import PipelineError
from pipeline.fhir import emit_bundle, emit_deid_bundle
from pipeline.logs import fields, get_logger
from pipeline.ocr.cleanup import straighten
from pipeline.ocr.engine import get_engine
from pipeline.ocr.hocr import document_lines, to_hocr
from pipeline.ocr.load import load_page
from pipeline.ocr.page import read_clean, read_upright
from pipeline.ocr.page import unreliable as unreliable_page
from pipeline.pdf import PdfPage, encode_page, is_bilevel, write_pdf
from pipeline.schema import (
    ITEM_FIELDS,
    Box,
    CleanPage,
    DocumentRecord,
    Extraction,
    OcrDocument,
    OcrPage,
    PhiReport,
    RawPage,
    RedactionCheck,
    Source,
    Span,
)
from pipeline.settings import Settings
from pipeline.vault import Vault, write_atomically

log = get_logger(__name__)
T = TypeVar("T")
R = TypeVar("R")
MapPages = Callable[[Callable[[T], R], Iterable[T]], list[R]]

# A page that could not be decoded is replaced in redacted.pdf by a black letter page.
BLANK_PAGE = (3300, 2550)


@dataclass
class Context:
    """What process_document needs besides the document: settings and collaborators."""

    settings: Settings
    map_pages: MapPages[Any, Any]
    # Built on first use in the calling process; extraction and PHI detection share a lock
    # because spaCy and presidio objects are not documented as thread-safe.
    _nlp: Any = None
    _analyzer: Any = None
    _surrogates: dict[Path, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def vault(self) -> Vault:
        """What seals the identified files this process writes (``settings.vault``)."""
        return Vault.from_settings(self.settings.vault)

    @property
    def nlp(self) -> Any:
        """The spaCy extraction pipeline (built once)."""
        if self._nlp is None:
            from pipeline.extract.nlp import build_nlp

            self._nlp = build_nlp(self.settings.extract)
        return self._nlp

    @property
    def analyzer(self) -> Any:
        """The presidio analyzer with our recognizers (built once)."""
        if self._analyzer is None:
            from pipeline.deid.registry import build_analyzer

            self._analyzer = build_analyzer(self.settings.deid)
        return self._analyzer

    def surrogates(self, out_dir: Path) -> Any:
        """Surrogates under the key of ``out_dir`` (``deid/surrogate.load_or_create_key``)."""
        with self.lock:
            if out_dir not in self._surrogates:
                from pipeline.deid.assets import load_assets
                from pipeline.deid.surrogate import Surrogates, load_or_create_key

                cfg = self.settings.deid
                self._surrogates[out_dir] = Surrogates(
                    load_or_create_key(out_dir, cfg, self.vault),
                    load_assets(cfg.models_dir),
                    max_shift_days=cfg.max_date_shift_days,
                )
            return self._surrogates[out_dir]


# --- page work, run in worker processes -------------------------------------------------


@dataclass(frozen=True)
class PageTask:
    """Read one page: decode, clean, OCR; keep the clean image for redaction."""

    source: Source
    index: int
    work_dir: str
    settings: Settings


def read_page(task: PageTask) -> OcrPage:
    """Worker: one page through load, cleanup and OCR. Failures come back as a page error."""
    s = task.settings
    raw = None
    try:
        engine = get_engine(s.ocr.engine)
        raw = load_page(task.source, task.index, cfg=s.load)
        clean, page = read_upright(raw, engine=engine, cleanup=s.cleanup, cfg=s.ocr)
        _save_archive(task, archive_page(raw, clean.rotation, clean.skew))
        # Saved only once read: a page without OCR has no word boxes to paint from, so
        # redaction blacks it out whole.
        _save_image(task, clean.image)
        return page
    except Exception as e:  # noqa: BLE001 - every failure becomes a page record
        if raw is not None:
            # searchable.pdf still shows a page that decoded but could not be read.
            with contextlib.suppress(Exception):
                _save_archive(task, archive_page(raw, 0, 0.0))
        error = e if isinstance(e, PipelineError) else errors.InternalError()
        log.warning(
            "page failed",
            extra=fields(
                doc_id=task.source.doc_id,
                page=task.index,
                code=error.code,
                exc_type=type(e).__name__,
            ),
        )
        return OcrPage(
            index=task.index, width=0, height=0, dpi=s.load.dpi, text="", error=error.record
        )


@dataclass(frozen=True)
class RedactTask:
    """Paint one page's PHI boxes and, optionally, read the painted page again."""

    index: int
    work_dir: str
    boxes: tuple[Box, ...]
    dpi: int
    speckled: bool
    verify: bool
    settings: Settings


def redact_page(task: RedactTask) -> tuple[PdfPage, OcrPage | None]:
    """Worker: the painted page for redacted.pdf, and its re-OCR when verifying."""
    path = Path(_image_path(task.work_dir, task.index))
    if not path.exists():
        black = np.zeros(BLANK_PAGE, dtype=np.uint8)
        return encode_page(black, 300), None
    vault = Vault.from_settings(task.settings.vault)
    painted = paint(np.load(io.BytesIO(vault.read(path))), list(task.boxes))
    reread = None
    if task.verify:
        engine = get_engine(task.settings.ocr.engine)
        clean = CleanPage(index=task.index, image=painted, dpi=task.dpi, speckled=task.speckled)
        try:
            reread = read_clean(clean, engine=engine, cfg=task.settings.ocr)
        except PipelineError as e:
            # Not re-read is not verified: the page comes back with its error, and the
            # document goes to review.
            h, w = painted.shape[:2]
            reread = OcrPage(
                index=task.index, width=w, height=h, dpi=task.dpi, text="", error=e.record
            )
    return encode_page(painted, task.dpi), reread


def _image_path(work_dir: str, index: int) -> str:
    return os.path.join(work_dir, f"page-{index:05d}.npy")


def _archive_path(work_dir: str, index: int) -> str:
    return os.path.join(work_dir, f"archive-{index:05d}.pickle")


def archive_page(raw: RawPage, rotation: int, skew: float) -> PdfPage:
    """The scan for searchable.pdf: its own pixels, turned and deskewed as OCR saw them.

    A bilevel scan (a fax) stays bilevel, so that it is stored in one lossless bit: the
    deskew rotation's grey edges are thresholded back.
    """
    image = straighten(raw.image, rotation, skew)
    if image is not raw.image and is_bilevel(raw.image):
        image = np.where(image > 127, 255, 0).astype(np.uint8)
    return encode_page(image, raw.dpi)


def _save_image(task: PageTask, image: np.ndarray) -> None:
    buf = io.BytesIO()
    np.save(buf, image)
    vault = Vault.from_settings(task.settings.vault)
    vault.write(Path(_image_path(task.work_dir, task.index)), buf.getvalue())


def _save_archive(task: PageTask, page: PdfPage) -> None:
    vault = Vault.from_settings(task.settings.vault)
    vault.write(Path(_archive_path(task.work_dir, task.index)), pickle.dumps(page))


def searchable_pdf(doc: OcrDocument, work_dir: str, vault: Vault) -> bytes:
    """The scan, upright and straight, with each page's words as invisible text.

    A page that could not be decoded is a black page, as in redacted.pdf; a page that could
    not be read keeps its image without text.
    """
    pages = []
    for page in doc.pages:
        path = Path(_archive_path(work_dir, page.index))
        if not path.exists():
            pages.append(encode_page(np.zeros(BLANK_PAGE, dtype=np.uint8), 300))
            continue
        scan: PdfPage = pickle.loads(vault.read(path))  # written by this run's own workers
        words = tuple((w.text, w.box) for w in page.words)
        scale = scan.dpi / page.dpi if page.dpi else 1.0
        pages.append(dataclasses.replace(scan, words=words, word_scale=scale))
    return write_pdf(pages)


# --- the document ------------------------------------------------------------------------


@dataclass(frozen=True)
class Outputs:
    """Everything written for one document, as bytes or text."""

    text: str
    deid_text: str
    deid_json: str
    bundle: str
    redacted_pdf: bytes
    deid_bundle: str = ""
    safe_harbor: str = ""
    searchable_pdf: bytes = b""
    ocr_json: str = ""
    hocr: tuple[str, ...] = ()  # one hOCR document per page
    # What the review app starts from (pipeline/revise.py): the extraction with its source,
    # and the boxes painted on each page of redacted.pdf.
    extraction_json: str = ""
    redaction_json: str = ""


def process_document(source: Source, *, out_dir: Path, ctx: Context) -> DocumentRecord:
    """Run every stage on ``source`` and write its outputs under ``out_dir/<doc_id>``.

    Never raises for a document problem: the returned record says ``done``, ``review``
    (with the first review reason in ``error``) or ``failed`` (with the error code).
    """
    started = time.monotonic()
    record = dict(source=source.path, doc_id=source.doc_id, pages=source.pages)
    work_dir = tempfile.mkdtemp(prefix=f".work-{source.doc_id}-", dir=out_dir)
    try:
        tasks = [PageTask(source, i, work_dir, ctx.settings) for i in range(source.pages)]
        pages: list[OcrPage] = ctx.map_pages(read_page, tasks)
        return assemble_document(
            source, pages, out_dir=out_dir, work_dir=work_dir, ctx=ctx, started=started
        )
    except PipelineError as e:
        return _failed(record, e.record, started)
    except Exception as e:  # noqa: BLE001 - the page pool failed unexpectedly
        log.error(
            "document failed",
            extra=fields(doc_id=source.doc_id, code="E900", exc_type=type(e).__name__),
        )
        return _failed(record, errors.InternalError().record, started)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def assemble_document(
    source: Source,
    pages: list[OcrPage],
    *,
    out_dir: Path,
    work_dir: str,
    ctx: Context,
    started: float,
) -> DocumentRecord:
    """The document stages once every page is read (``read_page`` wrote ``work_dir``).

    Extraction, PHI detection, redaction (painting and re-reading pages through
    ``ctx.map_pages``), de-identification and FHIR; writes the outputs under
    ``out_dir/<doc_id>``. The join of the worker queues calls it as ``process_document``
    does, so both write the same files. Never raises for a document problem.
    """
    s = ctx.settings
    record = dict(source=source.path, doc_id=source.doc_id, pages=source.pages)
    try:
        doc = OcrDocument(doc_id=source.doc_id, pages=tuple(pages))
        failed_pages = [p for p in pages if p.error]
        if len(failed_pages) == len(pages):
            # Nothing could be read: the first page's error is the document's.
            return _failed(record, failed_pages[0].error or errors.InternalError().record, started)
        reasons = [p.error for p in failed_pages if p.error]
        if not any(p.words for p in pages):
            reasons.append(errors.NoText().record)
        unreliable = {p.index for p in pages if unreliable_page(p, s.ocr)}
        if unreliable:
            reasons.append(errors.LowOcrConfidence().record)

        with ctx.lock:
            extraction = _stage(errors.ExtractionFailed, _extract, doc, ctx)
            report = _stage(errors.DeidFailed, _find_phi, doc, ctx)
        extraction = _distrust(extraction, doc, unreliable, s.extract.min_confidence)
        if not extraction.patient.mrn:
            reasons.append(errors.MissingPatientId().record)
        if any(item.confidence < s.extract.min_confidence for item in extraction.evidence()):
            reasons.append(errors.LowConfidenceValue().record)
        if not extraction.document_date and any(not o.effective for o in extraction.observations):
            reasons.append(errors.UndatedValue().record)

        redacted, check, painted = _redact(doc, report, work_dir, ctx)
        if check.residual_boxes or check.pages_unread:
            reasons.append(errors.RedactionUnverified().record)
        scan = Path(source.path).read_bytes() if source.size <= s.fhir.embed_max_bytes else None
        bundle = _stage(
            errors.BundleInvalid, emit_bundle, source, extraction, scan=scan, cfg=s.fhir
        )
        deid, deid_text = surrogate_outputs(doc, report, extraction, source, out_dir, ctx)
        deid_bundle = _stage(
            errors.BundleInvalid,
            emit_deid_bundle,
            deid,
            redacted_pdf=redacted,
            pages=source.pages,
            cfg=s.fhir,
        )
        outputs = Outputs(
            text=doc.text,
            deid_text=deid_text,
            deid_json=deid_json(doc, report),
            bundle=bundle,
            redacted_pdf=redacted,
            deid_bundle=deid_bundle,
            safe_harbor=safe_harbor_report(
                doc.text,
                report,
                doc_id=source.doc_id,
                check=check,
                pages=source.pages,
                unreliable_pages=len(unreliable),
                failed_pages=len(failed_pages),
                ninety_or_older=deid.ninety_or_older,
                birth_date_withheld=deid.birth_date_withheld,
                cfg=s.deid,
            ),
            searchable_pdf=searchable_pdf(doc, work_dir, ctx.vault),
            ocr_json=_ocr_json(doc),
            hocr=tuple(
                to_hocr(p, lines) for p, lines in zip(doc.pages, document_lines(doc), strict=True)
            ),
            extraction_json=extraction_json(source, extraction),
            redaction_json=redaction_json(painted),
        )
        _stage(errors.OutputWriteFailed, write_outputs, out_dir, source.doc_id, outputs, ctx.vault)
        status = "review" if reasons else "done"
        log.info(
            "document finished",
            extra=fields(
                doc_id=source.doc_id,
                status=status,
                pages=source.pages,
                count=len(extraction.observations),
                seconds=round(time.monotonic() - started, 3),
            ),
        )
        return DocumentRecord(
            **record,
            status=status,
            error=reasons[0] if reasons else None,
            reasons=tuple(reasons),
            observations=len(extraction.observations),
            medications=len(extraction.medications),
            conditions=len(extraction.conditions),
            allergies=len(extraction.allergies),
            phi_spans=len(report.spans),
            seconds=round(time.monotonic() - started, 3),
            finished_at=finished_now(),
        )
    except PipelineError as e:
        return _failed(record, e.record, started)
    except Exception as e:  # noqa: BLE001 - the one place any failure becomes a record
        log.error(
            "document failed",
            extra=fields(doc_id=source.doc_id, code="E900", exc_type=type(e).__name__),
        )
        return _failed(record, errors.InternalError().record, started)


def failure_record(path: str, doc_id: str, error: PipelineError) -> DocumentRecord:
    """The record of an input refused before any page was read."""
    log.warning("document failed", extra=fields(doc_id=doc_id, code=error.code))
    return DocumentRecord(
        source=path, doc_id=doc_id, status="failed", error=error.record, finished_at=finished_now()
    )


def _failed(record: dict[str, Any], error: str, started: float) -> DocumentRecord:
    log.warning("document failed", extra=fields(doc_id=record["doc_id"], code=error[:4]))
    return DocumentRecord(
        **record,
        status="failed",
        error=error,
        seconds=round(time.monotonic() - started, 3),
        finished_at=finished_now(),
    )


def finished_now() -> datetime:
    """A record's ``finished_at``: now, UTC, to the second (retention counts from it)."""
    return datetime.now(UTC).replace(microsecond=0)


def _stage(error: type[PipelineError], fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Call a stage; a failure that is not already a PipelineError becomes ``error``."""
    try:
        return fn(*args, **kwargs)
    except PipelineError:
        raise
    except Exception as e:
        log.error(
            "stage failed",
            extra=fields(code=error.code, stage=error.stage.value, exc_type=type(e).__name__),
        )
        raise error() from e


def _distrust(
    extraction: Extraction, doc: OcrDocument, pages: set[int], min_confidence: float
) -> Extraction:
    """Values read on pages OCR could barely read are never trusted on their own.

    On faxed pages tesseract prints wrong digits that parse as confident values (a weight of
    93 for 98); whatever the extractor thought of a value there, it drops below
    ``min_confidence``, so the bundle marks it preliminary and a reviewer confirms it.
    """
    if not pages:
        return extraction
    cap = min_confidence / 2

    def capped(items: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(
            item.model_copy(update={"confidence": min(item.confidence, cap)})
            if doc.page_of(item.start) in pages
            else item
            for item in items
        )

    return extraction.model_copy(
        update={key: capped(getattr(extraction, key)) for key in ITEM_FIELDS}
    )


def surrogate_outputs(
    doc: OcrDocument,
    report: PhiReport,
    extraction: Extraction,
    source: Source,
    out_dir: Path,
    ctx: Context,
) -> tuple[Any, str]:
    """The de-identified extraction (for bundle.deid.json) and the text of deid.txt."""
    from pipeline.deid.surrogate import deidentify_extraction, replace_with_surrogates

    surrogates = ctx.surrogates(out_dir)
    deid = deidentify_extraction(
        extraction, doc_id=source.doc_id, surrogates=surrogates, phi=report
    )
    if ctx.settings.deid.replacement == "surrogate":
        text = replace_with_surrogates(
            doc.text,
            report,
            surrogates=surrogates,
            shift_days=deid.shift_days,
            withhold_through=deid.withhold_through,
        )
    else:
        text = deidentify_text(doc.text, report)
    return deid, text


def _extract(doc: OcrDocument, ctx: Context) -> Extraction:
    from pipeline.extract import extract_entities

    return extract_entities(doc, nlp=ctx.nlp, cfg=ctx.settings.extract)


def _find_phi(doc: OcrDocument, ctx: Context, *, reread: bool = False) -> PhiReport:
    from pipeline.deid.detect import find_phi

    return find_phi(doc, analyzer=ctx.analyzer, cfg=ctx.settings.deid, reread=reread)


def _redact(
    doc: OcrDocument, report: PhiReport, work_dir: str, ctx: Context
) -> tuple[bytes, RedactionCheck, dict[int, list[Box]]]:
    """Paint PHI out of every page, re-read the painted pages, paint what is still found.

    Returns the redacted PDF, what re-reading found (PHI the first pass missed is painted
    too, but then, or when a page could not be re-read, the document goes to review) and
    the boxes painted on each page.
    """
    cfg = ctx.settings.deid
    boxes = redaction_boxes(doc, report, pad=cfg.pad_px)
    doubtful = doubtful_boxes(
        doc, below=cfg.paint_below_conf, words=ctx.analyzer.words, pad=cfg.pad_px
    )
    for i, extra in doubtful.items():
        boxes[i] = boxes.get(i, []) + extra
    painted = sum(len(bs) for bs in doubtful.values())

    def tasks(extra: dict[int, list[Box]], verify: bool) -> list[RedactTask]:
        return [
            RedactTask(
                p.index,
                work_dir,
                tuple(boxes.get(i, []) + extra.get(i, [])),
                p.dpi,
                p.speckled,
                verify,
                ctx.settings,
            )
            for i, p in enumerate(doc.pages)
        ]

    results = ctx.map_pages(redact_page, tasks({}, cfg.verify_redaction))
    residual: dict[int, list[Box]] = {}
    if cfg.verify_redaction:
        reread = OcrDocument(
            doc_id=doc.doc_id,
            pages=tuple(
                r or OcrPage(index=i, width=0, height=0, dpi=300, text="")
                for i, (_, r) in enumerate(results)
            ),
        )
        # The recognizers, not the pairing or the net (find_phi's ``reread``).
        with ctx.lock:
            found = _find_phi(reread, ctx, reread=True)
        left = _residual(doc, report, reread, found, words=ctx.analyzer.words)
        found_boxes = redaction_boxes(reread, left, pad=cfg.pad_px)
        # A "word" read off a painted box is the paint itself (black boxes read as "HRM"):
        # only PHI read where nothing was painted is residual.
        residual = {
            i: kept
            for i, bs in found_boxes.items()
            if (kept := [b for b in bs if _covered(b, boxes.get(i, [])) < 0.5])
        }
        if residual:
            results = ctx.map_pages(redact_page, tasks(residual, False))
            for i, extra in residual.items():
                boxes[i] = boxes.get(i, []) + extra
        readable = [p for p in reread.pages if not doc.pages[p.index].error]
        check = RedactionCheck(
            performed=True,
            doubtful_words_painted=painted,
            pages_reread=sum(not p.error for p in readable),
            pages_unread=sum(bool(p.error) for p in readable),
            residual_boxes=sum(len(bs) for bs in residual.values()),
        )
        return write_pdf([page for page, _ in results]), check, boxes
    unverified = RedactionCheck(doubtful_words_painted=painted)
    return write_pdf([page for page, _ in results]), unverified, boxes


def _covered(box: Box, painted: list[Box]) -> float:
    """The fraction of ``box`` that lies under the ``painted`` boxes (capped at 1).

    A box whose centre is painted counts as covered whole: tesseract draws the box of a
    "word" read off a black block taller than the block.
    """
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    if any(p.x0 <= cx < p.x1 and p.y0 <= cy < p.y1 for p in painted):
        return 1.0
    area = max(1, (box.x1 - box.x0) * (box.y1 - box.y0))
    inside = 0
    for p in painted:
        w = min(box.x1, p.x1) - max(box.x0, p.x0)
        h = min(box.y1, p.y1) - max(box.y0, p.y0)
        if w > 0 and h > 0:
            inside += w * h
    return min(1.0, inside / area)


def _residual(
    doc: OcrDocument, report: PhiReport, reread: OcrDocument, found: PhiReport, *, words: Any
) -> PhiReport:
    """PHI still legible on the painted pages.

    That is what detection finds on them, plus any word that spells a distinctive token
    (not a common English or clinical word) of a span painted in the first pass, and, where
    the re-read word is capitalised, any word of a name painted, a common word too ("Young"
    of "YOUNG, Ian" where the first OCR garbled it and the re-read reads it).
    """
    text = doc.text
    tokens: set[str] = set()
    names: set[str] = set()
    for span in report.spans:
        for token in text[span.start : span.end].split():
            token = token.strip(".,:;()[]").lower()
            if (
                len(token) >= 3
                and any(c.isalpha() for c in token)
                and not words.is_common(token)
                and not words.is_clinical(token)
            ) or (len(token) >= 5 and token.isdigit()):
                tokens.add(token)
            elif (
                span.label in _NAME_LABELS
                and len(token) >= 3
                and token.isalpha()
                and not words.is_clinical(token)
            ):
                names.add(token)
    spans = list(found.spans)
    starts = reread.page_starts()
    for page, start in zip(reread.pages, starts, strict=True):
        for w in page.words:
            word = w.text.strip(".,:;()[]")
            if word.lower() in tokens or (word[:1].isupper() and word.lower() in names):
                spans.append(Span(start=start + w.start, end=start + w.end, label="RESIDUAL"))
    return PhiReport(spans=tuple(sorted(spans, key=lambda s: s.start)))


# Spans whose every word names someone or somewhere, ordinary words included ("Street" and
# "Regional" of an address or a facility do not).
_NAME_LABELS = frozenset({"PERSON", "CITY"})


def extraction_json(source: Source, extraction: Extraction) -> str:
    """extraction.json: what was read (identified), and from which input."""
    body = {
        "source": source.model_dump(mode="json"),
        "extraction": extraction.model_dump(mode="json"),
    }
    return json.dumps(body, indent=1) + "\n"


def redaction_json(boxes: dict[int, list[Box]]) -> str:
    """redaction.json: the pixel boxes painted on each page (0-based), no text."""
    pages = {
        str(i): [[b.x0, b.y0, b.x1, b.y1] for b in bs] for i, bs in sorted(boxes.items()) if bs
    }
    return json.dumps({"pages": pages}, separators=(",", ":")) + "\n"


def _ocr_json(doc: OcrDocument) -> str:
    """The page model: every page with its words, boxes, confidences and engines."""
    body = {"doc_id": doc.doc_id, "pages": [p.model_dump(mode="json") for p in doc.pages]}
    return json.dumps(body, separators=(",", ":")) + "\n"


def deid_json(doc: OcrDocument, report: PhiReport) -> str:
    """PHI spans as offsets, labels and scores, never the text they cover."""
    spans = [
        {
            "start": s.start,
            "end": s.end,
            "label": s.label,
            "score": round(s.score, 3),
            "page": doc.page_of(s.start),
        }
        for s in report.spans
    ]
    return json.dumps({"doc_id": doc.doc_id, "spans": spans}, indent=1) + "\n"


def write_outputs(out_dir: Path, doc_id: str, outputs: Outputs, vault: Vault) -> None:
    """Write a document's files into temporary folders, then rename them into place.

    The identified files go to ``OUTDIR/<doc_id>``, sealed by ``vault`` (when it has a key);
    the de-identified ones, plain, to ``OUTDIR/deidentified/<doc_id>`` (pipeline/layout.py).
    A reader sees either the previous complete folder or the new complete one, never a
    half-written file. Every file is 0600 in a 0700 folder.
    """
    identified: dict[str, str | bytes] = {
        "text.txt": outputs.text,
        "bundle.json": outputs.bundle,
        "searchable.pdf": outputs.searchable_pdf,
        "ocr.json": outputs.ocr_json,
        "extraction.json": outputs.extraction_json,
    }
    deidentified: dict[str, str | bytes] = {
        "deid.txt": outputs.deid_text,
        "deid.json": outputs.deid_json,
        "redacted.pdf": outputs.redacted_pdf,
        "bundle.deid.json": outputs.deid_bundle,
        "safe_harbor.json": outputs.safe_harbor,
    }
    deid_root = out_dir / layout.DEID_DIR
    folders: list[tuple[Path, Path]] = []
    try:
        deid_root.mkdir(mode=0o700, exist_ok=True)
        if not (deid_root / layout.DEID_NOTICE).exists():
            write_atomically(deid_root / layout.DEID_NOTICE, DEID_NOTICE_TEXT)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{doc_id}-", dir=out_dir))
        folders.append((tmp, out_dir / doc_id))
        for name, data in identified.items():
            if data or name in ("text.txt", "bundle.json"):
                vault.write(tmp / name, data)
        if outputs.redaction_json:  # boxes only, no PHI: review's working data, plain
            write_atomically(tmp / "redaction.json", outputs.redaction_json)
        if outputs.hocr:
            (tmp / "hocr").mkdir(mode=0o700)
            for i, page in enumerate(outputs.hocr, start=1):
                vault.write(tmp / "hocr" / f"page-{i:04d}.hocr", page)
        deid_tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{doc_id}-", dir=deid_root))
        folders.append((deid_tmp, layout.deid_folder(out_dir, doc_id)))
        for name, data in deidentified.items():
            if data or name in ("deid.txt", "deid.json", "redacted.pdf"):
                write_atomically(deid_tmp / name, data)
        for tmp_dir, final in folders:
            _replace_folder(tmp_dir, final)
    except OSError as e:
        for tmp_dir, _ in folders:
            shutil.rmtree(tmp_dir, ignore_errors=True)
        raise errors.OutputWriteFailed() from e


DEID_NOTICE_TEXT = """DE-IDENTIFIED OUTPUTS (chart2fhir)

Each folder here holds one document's de-identified outputs: deid.txt (the text with PHI
replaced), deid.json (where the PHI was: offsets and types, no text), bundle.deid.json (the
FHIR bundle with surrogates and shifted dates: pseudonymized, not Safe Harbor), redacted.pdf
(the pages with PHI painted out) and safe_harbor.json (what was removed and how it was
checked). Nothing here is encrypted: it is meant to be handed out under the data-use
agreement. Folders are named by document id, a hash of the scan: hand out the files where
that link matters. The identified outputs are elsewhere in OUTDIR and stay with the
migration team.
"""


def _replace_folder(tmp: Path, final: Path) -> None:
    """Rename ``tmp`` to ``final``, replacing a folder that is there."""
    if final.exists():
        old = final.parent / f".old-{final.name}-{os.getpid()}-{threading.get_ident()}"
        final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(final)
