"""The ``chart2fhir_resolve_v1`` component, last in the pipeline: finishes the observations.

It gives each observation its effective date, lowers confidence where the OCR engine was
unsure of the evidence words, and keeps one observation where several readings cover the
same evidence.

An observation's date comes from, in order: its own flowsheet row; a date printed right
after it ("HbA1c 9.2% on Aug 6, 2023", "HR 72 (03/14/2021)"); a cue in its sentence
naming another dated event ("On arrival, BP 146/75" in a discharge summary is dated by the
admission date); for a lab result, the collection date printed nearest before it; the
visit/report date printed nearest before it; the document date.
"""

from __future__ import annotations

import bisect
import re
from itertools import groupby

from spacy.tokens import Doc

from pipeline.extract.data import DateRole, DatesData, OcrData, WordConfidence
from pipeline.extract.dates import DATE, date_regex, parse_date
from pipeline.extract.findings import DateMention, Findings, findings
from pipeline.extract.text import HS
from pipeline.schema import Listed, Observation

# How far back a cue may be, within the sentence or heading the value sits in.
CUE_WINDOW = 300
_SENTENCE_END = re.compile(r"\.\s|\n\s*\n|\f")


class Resolver:
    """Sets effective dates, applies word confidence, removes duplicate readings."""

    def __init__(self, dates: DatesData, ocr: OcrData) -> None:
        self.word_confidence = ocr.word_confidence
        words = _words_regex(dates.value_date_words) if dates.value_date_words else r"(?!)"
        self.trailing = re.compile(
            rf"{HS}*,?{HS}*(?:(?i:{words}){HS}+(?P<date>{DATE})"
            rf"|\({HS}*(?P<paren>{date_regex('p')}){HS}*\))"
        )
        self.cues: list[tuple[DateRole, re.Pattern[str]]] = [
            (role, re.compile(_words_regex(words, split=True), re.IGNORECASE))
            for role, words in dates.cues.items()
            if words
        ]

    def __call__(self, doc: Doc) -> Doc:
        """Finish ``findings(doc)``: document date and final observations."""
        found = findings(doc)
        found.document_date = document_date(found.dates)
        found.observations = deduplicate([self._finish(obs, found) for obs in found.observations])
        found.medications = [self._weigh(m, found) for m in found.medications]
        found.conditions = [self._weigh(c, found) for c in found.conditions]
        found.allergies = [self._weigh(a, found) for a in found.allergies]
        return doc

    def _weigh(self, item: Listed, found: Findings) -> Listed:
        """``item`` with its confidence lowered by the OCR confidence of its words."""
        factor = word_factor(item.start, item.end, found.words, self.word_confidence)
        return item.model_copy(update={"confidence": round(item.confidence * factor, 3)})

    def _finish(self, obs: Observation, found: Findings) -> Observation:
        effective = (
            obs.effective
            or self._trailing_date(obs, found.text)
            or self._cued(obs, found)
            or effective_date(obs, found.dates, found.document_date)
        )
        factor = word_factor(obs.start, obs.end, found.words, self.word_confidence)
        return obs.model_copy(
            update={"effective": effective, "confidence": round(obs.confidence * factor, 3)}
        )

    def _trailing_date(self, obs: Observation, text: str) -> str | None:
        """A date printed right after the value: "HbA1c 9.2% on Aug 6, 2023"."""
        m = self.trailing.match(text, obs.end)
        if m is None:
            return None
        return parse_date(m.group("date") or m.group("paren"))

    def _cued(self, obs: Observation, found: Findings) -> str | None:
        """The date of a role named by a cue in the sentence before ``obs``, if printed."""
        if not self.cues:
            return None
        window_start = max(0, obs.start - CUE_WINDOW)
        ends = list(_SENTENCE_END.finditer(found.text, window_start, obs.start))
        window_start = ends[-1].end() if ends else window_start
        for role, cue in self.cues:
            if cue.search(found.text, window_start, obs.start):
                mentions = [d for d in found.dates if d.role == role]
                chosen = _nearest_before(obs.start, mentions) or (mentions[0] if mentions else None)
                if chosen is not None:
                    return chosen.iso
        return None


def document_date(dates: list[DateMention]) -> str | None:
    """The date of the document.

    The first explicitly labelled visit/report date, else a bare "Date:" near the top of a
    page, else (a lab report that prints only when the specimen was taken) the first
    collection date.
    """
    explicit = [d for d in dates if d.role == "document" and not d.top_only]
    bare = [d for d in dates if d.role == "document" and d.top_only]
    collected = [d for d in dates if d.role == "collection"]
    chosen = min(explicit or bare or collected, key=lambda d: d.start, default=None)
    return chosen.iso if chosen else None


def effective_date(obs: Observation, dates: list[DateMention], fallback: str | None) -> str | None:
    """The date of ``obs`` when its reading carried none (a flowsheet row does).

    A lab result takes the collection date printed nearest before it (else the first one
    in the document); anything else takes the visit/report date printed nearest before it,
    else the document date. A birth date never dates an observation.
    """
    if obs.category == "laboratory":
        collected = [d for d in dates if d.role == "collection"]
        chosen = _nearest_before(obs.start, collected) or (collected[0] if collected else None)
        if chosen is not None:
            return chosen.iso
    visits = [d for d in dates if d.role == "document"]
    chosen = _nearest_before(obs.start, visits)
    return chosen.iso if chosen is not None else fallback


def _nearest_before(offset: int, mentions: list[DateMention]) -> DateMention | None:
    before = [d for d in mentions if d.end <= offset]
    return max(before, key=lambda d: d.end, default=None)


def word_factor(
    start: int, end: int, words: list[tuple[int, int, float]], rule: WordConfidence
) -> float:
    """The confidence factor for evidence ``[start, end)`` from its least certain OCR word."""
    if not words:
        return 1.0
    i = bisect.bisect_left(words, (start, -1, -1.0))
    # A word that begins before ``start`` may still reach into the span.
    i = max(0, i - 1)
    confs = []
    for w_start, w_end, conf in words[i:]:
        if w_start >= end:
            break
        if w_end > start:
            confs.append(min(max(conf, 0.0), 100.0))
    if not confs:
        return 1.0
    worst = min(confs)
    if worst >= rule.trusted_at:
        return 1.0
    return rule.floor + (1.0 - rule.floor) * worst / rule.trusted_at


def deduplicate(observations: list[Observation]) -> list[Observation]:
    """One observation per piece of evidence: overlapping readings of one code keep the best.

    Readings of the same code whose spans overlap come from the same printed value (a
    label/value pattern and a prose pattern both reading "heart rate 88"); the most
    confident is kept. The result is in text order.
    """
    kept: list[Observation] = []
    by_code = sorted(observations, key=lambda o: (o.code, o.start, o.end))
    for _code, group in groupby(by_code, key=lambda o: o.code):
        cluster: list[Observation] = []
        cluster_end = -1
        for obs in group:
            if cluster and obs.start >= cluster_end:
                kept.append(max(cluster, key=lambda o: o.confidence))
                cluster = []
            cluster.append(obs)
            cluster_end = max(cluster_end, obs.end) if len(cluster) > 1 else obs.end
        if cluster:
            kept.append(max(cluster, key=lambda o: o.confidence))
    return sorted(kept, key=lambda o: (o.start, o.end, o.code))


def _words_regex(words: tuple[str, ...], *, split: bool = False) -> str:
    """Any of ``words``, whole; with ``split``, OCR may have broken a word with a space.

    The words of a phrase may wrap onto the next line ("... exacerbation. On<newline>arrival, BP").
    """
    ordered = sorted(set(words), key=lambda w: (-len(w), w))
    joint = f"{HS}?" if split else ""
    gap = f"(?:{HS}+|{HS}*\n{HS}*)"
    alternatives = [
        gap.join(joint.join(re.escape(ch) for ch in word) for word in phrase.split())
        for phrase in ordered
    ]
    return r"(?<![A-Za-z])(?:" + "|".join(alternatives) + r")(?![A-Za-z])"
