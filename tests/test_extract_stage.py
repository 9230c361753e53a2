"""The extract stage as a whole: pipeline shape, offsets, confidence, duplicates, failures."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from pipeline.errors import ExtractionFailed
from pipeline.extract import build_nlp, extract_entities
from pipeline.extract.data import ModelDataError
from pipeline.extract.findings import findings
from pipeline.extract.nlp import LABS, PIPELINE
from pipeline.extract.resolve import deduplicate
from pipeline.schema import Box, Observation, OcrDocument, Quantity, Word
from pipeline.settings import MODELS_DIR, ExtractSettings
from tests.extract_helpers import page

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "truth"


def test_pipeline_is_blank_english_plus_our_components(nlp: Language) -> None:
    assert nlp.lang == "en"
    assert nlp.pipe_names == list(PIPELINE)
    assert all(Language.has_factory(name) for name in PIPELINE)
    assert all(name.startswith("chart2fhir_") and name.endswith("_v1") for name in PIPELINE)


def test_a_component_works_alone_on_a_blank_pipeline() -> None:
    # Like spaCy's own span_ruler tests: one component on spacy.blank, results on the Doc.
    blank = spacy.blank("en")
    blank.add_pipe(LABS, config={"models_dir": str(MODELS_DIR / "extract")})
    doc = blank("Glucose 182 mg/dL 70-99 H\nSodium 138 mmol/L 135-145")
    assert [(s.label_, s.text) for s in doc.spans["chart2fhir"]] == [
        ("LAB_RESULT", "Glucose 182 mg/dL"),
        ("LAB_RESULT", "Sodium 138 mmol/L"),
    ]
    # Without the resolve component nothing dates the results.
    assert [(o.code, o.effective) for o in findings(doc).observations] == [
        ("2345-7", None),
        ("2951-2", None),
    ]


def test_missing_model_files_fail_when_the_pipeline_is_built(tmp_path: Path) -> None:
    with pytest.raises(ModelDataError):
        build_nlp(ExtractSettings(models_dir=tmp_path))


def test_offsets_are_document_offsets_across_pages(nlp: Language, cfg: ExtractSettings) -> None:
    doc = OcrDocument(doc_id="d", pages=(page("Clinic header"), page("Notes\nHR 72", 1)))
    (obs,) = extract_entities(doc, nlp=nlp, cfg=cfg).observations
    assert doc.text[obs.start : obs.end] == "HR 72"
    assert doc.page_of(obs.start) == 1


def test_low_ocr_word_confidence_lowers_observation_confidence(
    nlp: Language, cfg: ExtractSettings
) -> None:
    text = "HR 72 RR 16"
    box = Box(x0=0, y0=0, x1=10, y1=10)
    words = (
        Word(text="HR", box=box, conf=95, line=0, start=0, end=2),
        Word(text="72", box=box, conf=40, line=0, start=3, end=5),
        Word(text="RR", box=box, conf=91, line=0, start=6, end=8),
        Word(text="16", box=box, conf=88, line=0, start=9, end=11),
    )
    doc = OcrDocument(doc_id="d", pages=(page(text, words=words),))
    hr, rr = extract_entities(doc, nlp=nlp, cfg=cfg).observations
    # The least certain word of the evidence decides: 0.6 + 0.4 * 40 / 80.
    assert hr.confidence == pytest.approx(0.8)
    # Words at or above 80 cost nothing.
    assert rr.confidence == 1.0


def test_low_confidence_observations_are_kept(nlp: Language) -> None:
    # Routing to review is the caller's decision: nothing is dropped for confidence.
    strict = ExtractSettings(min_confidence=0.99)
    doc = OcrDocument(doc_id="d", pages=(page("Potassium 41 mmol/L"),))
    (obs,) = extract_entities(doc, nlp=nlp, cfg=strict).observations
    assert obs.confidence < strict.min_confidence


class Exploding:
    """A stand-in pipeline whose components fail."""

    def make_doc(self, text: str) -> object:
        raise RuntimeError("component failed on text that must not leak")


def test_a_failure_becomes_extraction_failed(cfg: ExtractSettings) -> None:
    doc = OcrDocument(doc_id="d", pages=(page("HR 72"),))
    with pytest.raises(ExtractionFailed) as caught:
        extract_entities(doc, nlp=Exploding(), cfg=cfg)  # type: ignore[arg-type]
    # The record carries the fixed message, never the third-party one.
    assert caught.value.record == "E401: Clinical extraction failed."
    assert isinstance(caught.value.__cause__, RuntimeError)


def test_the_same_value_read_twice_is_one_observation(nlp: Language, cfg: ExtractSettings) -> None:
    # "heart rate 88" matches both the HR label and prose; one observation remains.
    doc = OcrDocument(doc_id="d", pages=(page("Heart rate: heart rate 88"),))
    assert len(extract_entities(doc, nlp=nlp, cfg=cfg).observations) == 1


def obs(code: str, value: float, start: int, end: int, confidence: float = 1.0) -> Observation:
    return Observation(
        code=code,
        display="x",
        category="vital-signs",
        quantity=Quantity(value=value, unit="/min"),
        start=start,
        end=end,
        confidence=confidence,
    )


DEDUP = [
    # the same value from the same span twice: one
    ([obs("8867-4", 72, 0, 5), obs("8867-4", 72, 0, 5)], [obs("8867-4", 72, 0, 5)]),
    # overlapping readings of one code: the more confident one
    (
        [obs("8867-4", 72, 0, 5, 0.7), obs("8867-4", 72, 3, 9, 0.9)],
        [obs("8867-4", 72, 3, 9, 0.9)],
    ),
    # the same value in two places is two observations (two readings)
    (
        [obs("8867-4", 72, 0, 5), obs("8867-4", 72, 10, 15)],
        [obs("8867-4", 72, 0, 5), obs("8867-4", 72, 10, 15)],
    ),
    # overlapping spans of different codes are different observations, in text order
    (
        [obs("9279-1", 16, 2, 6), obs("8867-4", 72, 0, 5)],
        [obs("8867-4", 72, 0, 5), obs("9279-1", 16, 2, 6)],
    ),
    # nothing in, nothing out
    ([], []),
]


@pytest.mark.parametrize(("given_obs", "kept"), DEDUP)
def test_deduplicate(given_obs: list[Observation], kept: list[Observation]) -> None:
    assert deduplicate(given_obs) == kept


FRAGMENTS = [
    "BP: 132/84 mmHg",
    "HR 72",
    "Temp 98.6 F",
    "DOB: 01/02/1950",
    "Date of Service: 03/14/2021",
    "Glucose 182 mg/dL 70-99 H",
    "Na 138, K 4.1",
    "Date Time BP HR",
    "03/14/2021 08:00 120/80 70",
    "Patient: DOE, JANE",
    "l32/8O",
    "Sp02 9l%",
    "|",
    "--",
    "12/08",
    "\n",
    "\n\n",
    " ",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=12).map(" ".join),
        min_size=1,
        max_size=3,
    )
)
def test_offsets_stay_inside_the_text(
    nlp: Language, cfg: ExtractSettings, pages: list[str]
) -> None:
    pages = [p.replace("\f", " ") for p in pages]
    doc = OcrDocument(doc_id="d", pages=tuple(page(t, i) for i, t in enumerate(pages)))
    ex = extract_entities(doc, nlp=nlp, cfg=cfg)
    text = doc.text
    for o in ex.observations:
        assert 0 <= o.start < o.end <= len(text)
        assert text[o.start : o.end].strip()
        assert 0.0 <= o.confidence <= 1.0
        assert (o.quantity is None) == bool(o.components)
    # No two observations of one code share evidence.
    spans = Counter((o.code, o.start, o.end) for o in ex.observations)
    assert all(n == 1 for n in spans.values())


def truth_files() -> list[Path]:
    return sorted(SAMPLES.glob("*.json")) if SAMPLES.is_dir() else []


Key = tuple[str, float | None | tuple[tuple[str, float], ...], str, str | None]


def key(
    code: str, value: float | None, unit: str, parts: list[tuple[str, float]], date: str | None
) -> Key:
    if parts:
        return code, tuple(parts), unit, date
    return code, value, unit, date


@pytest.mark.skipif(not truth_files(), reason="no generated samples/truth/*.json")
def test_generated_charts_end_to_end(nlp: Language, cfg: ExtractSettings) -> None:
    """Precision and recall on the synthetic charts' exact page text, against their truth."""
    tp = fp = fn = 0
    for path in truth_files():
        truth = json.loads(path.read_text(encoding="utf-8"))
        doc = OcrDocument(
            doc_id=path.stem,
            pages=tuple(page(p["text"], i) for i, p in enumerate(truth["pages"])),
        )
        ex = extract_entities(doc, nlp=nlp, cfg=cfg)
        want = Counter(
            key(
                o["code"],
                o["value"],
                o["unit"],
                [(c["code"], c["value"]) for c in o["components"]],
                o["date"],
            )
            for o in truth["observations"]
        )
        got = Counter(
            key(
                o.code,
                o.quantity.value if o.quantity else None,
                o.quantity.unit if o.quantity else o.components[0].quantity.unit,
                [(c.code, c.quantity.value) for c in o.components],
                o.effective,
            )
            for o in ex.observations
        )
        hit = sum((want & got).values())
        tp, fp, fn = tp + hit, fp + sum(got.values()) - hit, fn + sum(want.values()) - hit
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
