"""Upper-case "LAST, FIRST" names, as printed in chart headers and footers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex as re
from presidio_analyzer import Pattern, RecognizerResult

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.name_base import NameRecognizer
from pipeline.deid.recognizers.patterns import (
    INITIAL,
    NOT_PAGE,
    UPPER_WORD,
    alternation,
    not_words,
)

if TYPE_CHECKING:
    from presidio_analyzer.nlp_engine import NlpArtifacts


class UpperCaseNameRecognizer(NameRecognizer):
    """Recognize "HARRISON, MARGARET" and "HARRISON, MARGARET A" without a label.

    Upper-case lab and imaging lines have the same shape ("GLUCOSE, FASTING", "CHEST, PA"),
    so a match is refused when any word is an ordinary or clinical word that is not also a
    known name ("BROWN, JAMES" stays a name).
    """

    SCORE = 0.75

    def __init__(self, assets: DeidAssets) -> None:
        labels = assets.labels
        stop = not_words(labels["field_words"] + labels["credentials"] + labels["person_titles"])
        word = rf"{stop}{NOT_PAGE}{UPPER_WORD}"
        # "ODESSA, TX 79758" is a city and its state before a ZIP code.
        not_state = rf"(?!{alternation(labels['us_states'])}[ ]+\d{{5}})"
        name = rf"{word},[ ]{{0,2}}{not_state}{word}(?:[ ](?:{word}|{stop}{INITIAL}))?"
        pattern = rf"(?<![A-Za-z0-9]){name}(?![A-Za-z0-9])"
        self._safe = assets.safe_words
        # Before the patient's MRN or date of birth the shape is a name whatever its words
        # ("YANG, JUN MRN 7826883"), a page number OCR ran into it too ("2YANG, JUN").
        ids = alternation(["MRN", "MR#", "DOB", "D.O.B.", "Acct", "ACCT", "Med Rec"])
        self._before_id = re.compile(rf"(?<![A-Za-z]){name}(?=[ ]+{ids}(?![A-Za-z]))")
        super().__init__(
            supported_entity="PERSON",
            patterns=[Pattern("LAST, FIRST", pattern, self.SCORE)],
            words=assets.words,
            name="UpperCaseNameRecognizer",
        )

    def _clinical_term(self, word: str) -> bool:
        """A clinical term or abbreviation that is no name: "HA, PERRL" is an exam line."""
        return word.lower() in self._safe.clinical and not self._safe.could_be_name(word)

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse the match if any word is a plain word, or all are short unknown words."""
        words = self.name_words(pattern_text)
        if not words or any(self.is_plain_word(w) or self._clinical_term(w) for w in words):
            return True
        # "CBC, CMP": short all-capital words that are no known name are abbreviations.
        return all(len(w) <= 3 and not self.words.is_name(w) for w in words)

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """The pattern, and a name before an MRN or a date of birth of words that are no terms."""
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        taken = {(r.start, r.end) for r in results}
        for m in self._before_id.finditer(text):
            words = self.name_words(m.group())
            if m.span() in taken or not words or any(self.words.is_clinical(w) for w in words):
                continue
            results.append(RecognizerResult("PERSON", m.start(), m.end(), self.SCORE))
        return results
