"""The extract stage: vital signs, lab results, demographics and dates from OCR text.

``extract_entities`` runs the spaCy pipeline from ``build_nlp`` over the document text and
returns an ``Extraction``; the spaCy ``Doc`` never leaves this package.
"""

from __future__ import annotations

from spacy.language import Language

from pipeline.errors import ExtractionFailed
from pipeline.extract.findings import Findings, findings
from pipeline.extract.nlp import build_nlp
from pipeline.schema import Extraction, OcrDocument
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
        return Extraction(
            patient=found.patient,
            document_date=found.document_date,
            document_kind=found.kind,
            observations=tuple(found.observations),
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
