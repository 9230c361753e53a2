"""Shared behaviour of the recognizers that find names (of people and of facilities)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult

from pipeline.deid.assets import DeidAssets, WordLists
from pipeline.deid.recognizers.patterns import (
    CASE_SENSITIVE,
    SP,
    alternation,
    lower_first_name,
    not_words,
    person_name,
)

if TYPE_CHECKING:
    from presidio_analyzer.nlp_engine import NlpArtifacts

NAME_TOKEN = re.compile(r"[A-Za-z][A-Za-z']*")  # a word of a name
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def labelled_name_parts(assets: DeidAssets) -> tuple[str, str, str]:
    """Regex parts shared by the recognizers of names in labelled fields.

    Returns:
        (an optional title such as "Dr. ", a name, a name whose first word OCR lower-cased).

    """
    labels = assets.labels
    titles = assets.label_list("person_titles")
    stop = not_words(labels["field_words"] + labels["credentials"] + titles)
    title = rf"(?:{alternation(titles, ignore_case=True)}\.?{SP}+)?"
    return title, person_name(stop), lower_first_name(stop, labels["credentials"])


class NameRecognizer(PatternRecognizer):
    """A case-sensitive pattern recognizer for names, with word-list sanity checks.

    A match is refused when all its words are ordinary or clinical words that are not also
    known names ("Family Medicine", "Sodium Chloride"), and leading ordinary words picked up
    by a capitalised sentence start ("Note Jane Smith") are trimmed off.
    """

    def __init__(
        self,
        *,
        supported_entity: str,
        patterns: list[Pattern],
        words: WordLists,
        context: list[str] | None = None,
        name: str,
    ) -> None:
        self.words = words
        super().__init__(
            supported_entity=supported_entity,
            patterns=patterns,
            context=context or [],
            name=name,
            global_regex_flags=CASE_SENSITIVE,
        )

    def name_words(self, text: str) -> list[str]:
        """The words of a match that can carry a name (two letters or more, no suffixes)."""
        return [w for w in NAME_TOKEN.findall(text) if len(w) >= 2 and w.lower() not in _SUFFIXES]

    def is_plain_word(self, word: str) -> bool:
        """True for an ordinary or clinical word that is not also a known name."""
        return self.words.is_common(word) and not self.words.is_name(word)

    def is_trimmable(self, word: str) -> bool:
        """True for a word that may be cut off the start of a match."""
        return self.is_plain_word(word)

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse matches without a word that could be a name."""
        words = self.name_words(pattern_text)
        return not words or all(self.is_plain_word(w) for w in words)

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Run the patterns, then trim leading ordinary words off each result."""
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        kept = []
        for result in results:
            start = self._trimmed_start(text, result.start, result.end)
            if start is None:
                continue
            result.start = start
            result.end = self._trimmed_end(text, start, result.end)
            kept.append(result)
        return kept

    def _trimmed_end(self, text: str, start: int, end: int) -> int:
        """``end``, less a last clinical word after a comma: "Dr. Lee, Cardiology" (not "Will")."""
        comma = text.rfind(",", start, end)
        if comma < 0:
            return end
        after = NAME_TOKEN.findall(text, comma, end)
        if (
            len(after) == 1
            and len(after[0]) >= 2
            and self.words.is_clinical(after[0])
            and not self.words.is_name(after[0])
        ):
            name = text[start:comma].rstrip()
            return start + len(name) if name else end
        return end

    def _trimmed_start(self, text: str, start: int, end: int) -> int | None:
        for m in NAME_TOKEN.finditer(text, start, end):
            if not self.is_trimmable(m.group()) and len(m.group()) >= 2:
                return m.start()
            if len(m.group()) == 1:
                # An initial opens the name ("J. Smith"): keep from here.
                return m.start()
        return None
