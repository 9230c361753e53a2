"""Build the presidio analyzer explicitly: a blank spaCy tokenizer and our recognizers.

``AnalyzerEngine()`` with its defaults downloads en_core_web_lg at run time; nothing here
loads a trained model. The spaCy pipeline only tokenizes and sets lower-case lemmas, which is
all presidio's context enhancer needs to find words such as "DOB" or "fax" near a match.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from typing import cast

import spacy
from presidio_analyzer import (
    AnalyzerEngine,
    EntityRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerRegistry,
)
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import (
    NerModelConfiguration,
    SlimSpacyNlpEngine,
    SpacyNlpEngine,
)
from presidio_analyzer.predefined_recognizers import (
    IpRecognizer,
    SpacyRecognizer,
    UsSsnRecognizer,
)
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from pipeline.deid import recognizers as r
from pipeline.deid.assets import DeidAssets, load_assets
from pipeline.settings import DeidSettings, ner_model_location

LANGUAGE = "en"
# spaCy 3.8 refuses "." in component names (E853), so the versioned name uses "_".
LEMMA_COMPONENT = "chart2fhir_lower_lemma_v1"
NER_SCORE = 0.7  # a person the statistical NER found, above the review margin


@Language.component(LEMMA_COMPONENT)
def lower_lemma(doc: Doc) -> Doc:
    """Set each token's lemma to its lower-case text (a blank pipeline has no lemmatizer)."""
    for token in doc:
        token.lemma_ = token.lower_
    return doc


def blank_pipeline(context_words: Iterable[str] = ()) -> Language:
    """spacy.blank("en") adapted by :func:`adapt`."""
    return adapt(spacy.blank(LANGUAGE), context_words)


def adapt(nlp: Language, context_words: Iterable[str] = ()) -> Language:
    """Add the lemma component; ":" and "#" split "DOB:03/14" and "SSN#".

    Args:
        nlp: a blank or trained English pipeline.
        context_words: recognizer context words. presidio skips stop words when it collects
            the words around a match, and spaCy's stop list holds some of ours ("call",
            "on", "seen"), so these are taken off it.

    """
    for word in context_words:
        nlp.vocab[word.lower()].is_stop = False
    chart_tokenizer(nlp)
    nlp.add_pipe(LEMMA_COMPONENT)
    return nlp


def chart_tokenizer(nlp: Language) -> Language:
    """Split "DOB:03/14" and "SSN#" at their mark, as charts print them (also in training)."""
    infixes = [*(nlp.Defaults.infixes or []), r"(?<=[A-Za-z])[:#](?=[A-Za-z0-9])"]
    tokenizer = cast(Tokenizer, nlp.tokenizer)
    tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
    return nlp


class BlankSpacyNlpEngine(SlimSpacyNlpEngine):
    """presidio's slim (tokens and lemmas, no NER) engine over a blank pipeline."""

    def __init__(self, context_words: Iterable[str] = ()) -> None:
        super().__init__(
            models=[{"lang_code": LANGUAGE, "model_name": "blank"}], auto_download=False
        )
        self.context_words = tuple(context_words)

    def load(self) -> None:
        """Build the blank pipeline instead of loading (or downloading) a trained model."""
        self.nlp = {LANGUAGE: blank_pipeline(self.context_words)}  # type: ignore[assignment]  # typed None upstream


class TrainedSpacyNlpEngine(SpacyNlpEngine):
    """presidio's spaCy engine over an installed model package, never downloaded.

    Only the model's named entities of people are used (``PERSON``); its tagger, parser and
    lemmatizer are left out, lemmas are the lower-case text as in the blank pipeline.
    """

    # What the model's NER adds: people. Its ORG, GPE and DATE spans overlap what the
    # recognizers find by shape, and on charts its ORG takes in lab names ("BP 120/80").
    MAPPING = {"PERSON": "PERSON", "PER": "PERSON"}
    EXCLUDE = ["parser", "tagger", "attribute_ruler", "lemmatizer", "senter"]

    def __init__(self, model: str, context_words: Iterable[str] = ()) -> None:
        super().__init__(
            models=[{"lang_code": LANGUAGE, "model_name": model}],
            ner_model_configuration=NerModelConfiguration(
                model_to_presidio_entity_mapping=dict(self.MAPPING)
            ),
        )
        self.model = model
        self.context_words = tuple(context_words)

    def load(self) -> None:
        """Load the package or models/ner/ pipeline (``DeidSettings`` refuses any other)."""
        nlp = spacy.load(ner_model_location(self.model) or self.model, exclude=self.EXCLUDE)
        self.nlp = {LANGUAGE: adapt(nlp, self.context_words)}  # type: ignore[assignment]  # typed None upstream


class IndexedContextEnhancer(LemmaContextAwareEnhancer):
    """presidio's context enhancer, finding a result's token by bisection.

    presidio walks the document's tokens from the start for every result, which on a
    50-page document (150,000 characters, a thousand results) took 75 s of 85. The token
    whose span holds the result's start is the first whose end lies past it.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._indexed: tuple[object, list[int]] | None = None  # (tokens, their ends)

    def _find_index_of_match_token(  # type: ignore[override]  # a staticmethod upstream
        self, word: str, start: int, tokens: object, tokens_indices: list[int]
    ) -> int:
        if self._indexed is None or self._indexed[0] is not tokens:
            ends = [i + len(t) for i, t in zip(tokens_indices, tokens, strict=True)]  # type: ignore[call-overload]
            self._indexed = (tokens, ends)
        ends = self._indexed[1]
        i = bisect_right(ends, start)
        if i >= len(ends):
            raise ValueError("a result lies past the document's last token")
        return i


class PhiAnalyzer(AnalyzerEngine):
    """An AnalyzerEngine that also carries models/deid/ for what runs after it (detect.py)."""

    def __init__(self, *, assets: DeidAssets, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.assets = assets
        self.words = assets.words


# presidio's SSN shapes, but three numbers split by spaces ("110 90 1854", a flowsheet row)
# need a context word ("SSN", "social") to reach the threshold; hyphens or dots need none.
_SSN_PATTERNS = [
    *(p for p in UsSsnRecognizer.PATTERNS if p.name != "SSN5 (medium)"),
    Pattern("SSN5 (medium)", r"\b([0-9]{3})([-.])([0-9]{2})\2([0-9]{4})\b", 0.5),
    Pattern("SSN5, spaces (weak)", r"\b([0-9]{3}) ([0-9]{2}) ([0-9]{4})\b", 0.3),
]
# Masked but for its last four digits, as a face sheet prints it: "XXX-XX-4636", "***-**-
# 4636"; OCR may space the hyphens (presidio's checks would refuse mixed separators).
# The last four digits of an SSN told in words: "SSN on file ends in 9477", "last 4 of SSN:
# 9477".
_SSN_LAST_FOUR = Pattern(
    "SSN, last four",
    r"(?i:(?<=\b(?:ssn|social[ ]security(?:[ ](?:number|no\.?|\#))?)\b[^\n\d]{0,24}"
    r"\b(?:ends?[ ]in|ending(?:[ ]in)?|last[ ](?:4|four)(?:[ ]digits)?)[ :]{0,2}"
    r"|\blast[ ](?:4|four)(?:[ ]digits)?[ ]of[ ](?:the[ ]|pt'?s[ ])?"
    r"(?:ssn|social[ ]security(?:[ ]number)?)[ :#]{0,3}))"
    r"[0-9]{4}(?![0-9])",
    0.6,
)
_MASKED_SSN = Pattern(
    "SSN, masked",
    r"(?<![\w*])(?:XXX|xxx|\*\*\*)[ ]?-[ ]?(?:XX|xx|\*\*)[ ]?-[ ]?[0-9]{4}(?![0-9])",
    0.6,
)


def build_recognizers(assets: DeidAssets) -> list[EntityRecognizer]:
    """Every recognizer the analyzer runs, in one explicit list."""
    return [
        r.PatientNameRecognizer(assets),
        r.InitialsRecognizer(assets),
        r.LabelledPersonRecognizer(assets),
        r.TitledPersonRecognizer(assets),
        r.CredentialedPersonRecognizer(assets),
        r.RelativeNameRecognizer(assets),
        r.UpperCaseNameRecognizer(assets),
        r.DictionaryNameRecognizer(assets),
        r.MrnRecognizer(assets),
        r.ChartDateRecognizer(assets),
        r.OcrDateRecognizer(assets),
        r.FlowsheetRowDateRecognizer(),
        r.PrintedDateRecognizer(),
        r.AgeOver89Recognizer(assets),
        r.ChartPhoneRecognizer(assets),
        r.PagerRecognizer(assets),
        UsSsnRecognizer(patterns=_SSN_PATTERNS),
        PatternRecognizer(
            supported_entity="US_SSN",
            patterns=[_MASKED_SSN, _SSN_LAST_FOUR],
            name="MaskedSsnRecognizer",
        ),
        r.StreetAddressRecognizer(assets),
        r.CityRecognizer(assets),
        r.ZipCodeRecognizer(assets),
        r.ChartEmailRecognizer(),
        r.ChartUrlRecognizer(),
        IpRecognizer(),
        r.LabelledIdRecognizer(assets),
        r.LabelledSsnRecognizer(assets),
        r.LabelledDateRecognizer(assets),
        r.NpiRecognizer(),
        r.DeaRecognizer(),
        r.FacilityRecognizer(assets),
    ]


def build_analyzer(cfg: DeidSettings) -> PhiAnalyzer:
    """Build the analyzer from models/deid/ with no model download (well under two seconds).

    Args:
        cfg: the deid settings; ``models_dir`` locates the label and word lists and
            ``score_threshold`` becomes the analyzer's default threshold.

    """
    assets = load_assets(cfg.models_dir)
    recognizers = build_recognizers(assets)
    context_words = {w for rec in recognizers for w in (rec.context or [])}
    nlp_engine: SlimSpacyNlpEngine | TrainedSpacyNlpEngine
    if cfg.ner_model:
        nlp_engine = TrainedSpacyNlpEngine(cfg.ner_model, context_words)
        recognizers.append(SpacyRecognizer(supported_entities=["PERSON"], ner_strength=NER_SCORE))
    else:
        nlp_engine = BlankSpacyNlpEngine(context_words)
    nlp_engine.load()
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=[LANGUAGE])
    # Whole-word context matching: in presidio's default substring mode the context word
    # "age" matches "dosage" and "tel" matches "hotel".
    enhancer = IndexedContextEnhancer(context_matching_mode="whole_word")
    return PhiAnalyzer(
        assets=assets,
        registry=registry,
        nlp_engine=nlp_engine,
        supported_languages=[LANGUAGE],
        default_score_threshold=cfg.score_threshold,
        context_aware_enhancer=enhancer,
    )
