"""Helpers for the extract tests: OCR pages from plain text, and the stage run on them."""

from __future__ import annotations

from spacy.language import Language

from pipeline.extract import extract_entities
from pipeline.schema import Extraction, OcrDocument, OcrPage, Word
from pipeline.settings import ExtractSettings


def page(text: str, index: int = 0, words: tuple[Word, ...] = ()) -> OcrPage:
    """A letter page at 300 DPI holding ``text``, as OCR would return it."""
    return OcrPage(index=index, width=2550, height=3300, dpi=300, text=text, words=words)


def document(*pages: str) -> OcrDocument:
    """A document whose pages hold ``pages``, in order."""
    return OcrDocument(doc_id="test", pages=tuple(page(t, i) for i, t in enumerate(pages)))


def run(nlp: Language, cfg: ExtractSettings, *pages: str) -> Extraction:
    """The extract stage on a document whose pages hold ``pages``."""
    return extract_entities(document(*pages), nlp=nlp, cfg=cfg)
