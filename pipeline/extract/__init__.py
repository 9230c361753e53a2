"""The extract stage: vital signs, lab results, demographics and dates from OCR text.

``extract_entities`` runs the spaCy pipeline from ``build_nlp`` over the document text and
returns an ``Extraction``; the spaCy ``Doc`` never leaves this package.
"""

from __future__ import annotations

import bisect

from spacy.language import Language

from pipeline.errors import ExtractionFailed
from pipeline.extract.findings import Findings, findings
from pipeline.extract.nlp import build_nlp
from pipeline.schema import Evidence, ExtractedT, Extraction, OcrDocument
from pipeline.settings import ExtractSettings

__all__ = ["build_nlp", "extract_entities"]


def extract_entities(doc: OcrDocument, *, nlp: Language, cfg: ExtractSettings) -> Extraction:
    """Find the clinical entities of ``doc``.

    Args:
        doc: the OCR result; observation offsets are into ``doc.text``.
        nlp: the pipeline from ``build_nlp`` (built once per process, reused).
        cfg: the extract settings. Observations are returned whatever their confidence;
            routing low-confidence documents to review (``cfg.min_confidence``) is the
            caller's decision.

    Raises:
        ExtractionFailed: the pipeline failed on this document.

    """
    text = doc.text
    try:
        spacy_doc = nlp.make_doc(text)
        _seed(findings(spacy_doc), doc)
        spacy_doc = nlp(spacy_doc)
        found = findings(spacy_doc)
        locate = _Locator(doc)
        return Extraction(
            patient=found.patient,
            document_date=found.document_date,
            document_kind=found.kind,
            observations=locate.all(found.observations),
            medications=locate.all(found.medications),
            conditions=locate.all(found.conditions),
            allergies=locate.all(found.allergies),
        )
    except Exception as e:  # any failure inside spaCy or a component is this document's
        raise ExtractionFailed() from e


def _seed(found: Findings, doc: OcrDocument) -> None:
    """Give the components the OCR word confidences, in document offsets."""
    words = [
        (start + w.start, start + w.end, w.conf)
        for start, page in zip(doc.page_starts(), doc.pages, strict=True)
        for w in page.words
    ]
    found.words = sorted(words)


class _Locator:
    """Evidence (page, pixel box, OCR confidence) of text spans, from the OCR words."""

    def __init__(self, doc: OcrDocument) -> None:
        self.doc = doc
        self.starts = doc.page_starts()

    def all(self, items: list[ExtractedT]) -> tuple[ExtractedT, ...]:
        return tuple(
            item.model_copy(update={"evidence": self.evidence(item.start, item.end)})
            for item in items
        )

    def evidence(self, start: int, end: int) -> Evidence | None:
        """The evidence of document text ``[start, end)``; None when no word is under it."""
        # The page starts are held: OcrDocument.page_of would recompute them per item.
        index = max(0, bisect.bisect_right(self.starts, start) - 1)
        page, offset = self.doc.pages[index], self.starts[index]
        words = [w for w in page.words if w.start < end - offset and start - offset < w.end]
        if not words:
            return None
        box = words[0].box
        for w in words[1:]:
            box = box.union(w.box)
        return Evidence(page=index, box=box, ocr_confidence=min(w.conf for w in words))
