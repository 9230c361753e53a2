"""models/ner/train.py: the data it builds and a tiny training run that loads back."""

from __future__ import annotations

import importlib.util
import random

import spacy

from pipeline.settings import MODELS_DIR

_spec = importlib.util.spec_from_file_location("ner_train", MODELS_DIR / "ner" / "train.py")
assert _spec is not None and _spec.loader is not None
train = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(train)

PAGES = [
    ("Seen with daughter Orsolya Vantreece today.", [(19, 36)]),
    ("Dr. Kelbrand reviewed the plan with the family.", [(4, 12)]),
    ("Patient: QUILLON, BETHANY  MRN: 4412", [(9, 25)]),
    ("Metoprolol 25 mg daily, no changes.", []),
]


def test_case_variants_keep_the_offsets() -> None:
    pages = train.with_case_variants(PAGES, random.Random(3))
    assert pages[: len(PAGES)] == PAGES
    for text, spans in pages[len(PAGES) :]:
        original = next(t for t, _ in PAGES if t.lower() == text.lower())
        assert text in (original.lower(), original.upper())
        for s, e in spans:
            assert text[s:e].lower() == original[s:e].lower()


def test_a_tiny_training_run_writes_a_pipeline_that_loads(tmp_path) -> None:
    nlp = train.train(PAGES * 4, epochs=2, seed=0)
    assert nlp.pipe_names == ["ner"]
    assert nlp.get_pipe("ner").labels == ("PERSON",)
    nlp.to_disk(tmp_path / "tiny")
    loaded = spacy.load(tmp_path / "tiny")
    assert loaded.pipe_names == ["ner"]
    # The tokenizer is ours: "DOB:03/14" splits at its colon.
    assert [t.text for t in loaded.make_doc("DOB:03/14")][:2] == ["DOB", ":"]
