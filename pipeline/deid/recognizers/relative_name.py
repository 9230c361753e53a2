"""Relatives and other contacts named in prose: "her daughter Susan", "Wife (Linda) reports"."""

from __future__ import annotations

import regex as re
from presidio_analyzer import Pattern

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.name_base import NameRecognizer
from pipeline.deid.recognizers.patterns import SP, label_lookbehind, not_words, person_name

# A word and an initial: how a note names a relative ("Father Will M."), an ordinary word too.
_WORD_AND_INITIAL = re.compile(r"[A-Z][a-z]+[ ][A-Z]\.")


class RelativeNameRecognizer(NameRecognizer):
    """Recognize a name right after a relation word (daughter, son, wife, neighbour...).

    Notes name the family at the bedside without a field label; a capitalised word after
    "daughter" is her name unless it is an ordinary word ("daughter Present" is refused by
    ``NameRecognizer``). The relation word itself is not part of the result.
    """

    SCORE = 0.75

    def __init__(self, assets: DeidAssets) -> None:
        labels = assets.labels
        stop = not_words(
            labels["field_words"] + labels["credentials"] + assets.label_list("person_titles")
        )
        after_relation = label_lookbehind(
            assets.label_list("relation_words"), separator=rf"(?:'s)?,?{SP}+\(?"
        )
        super().__init__(
            supported_entity="PERSON",
            patterns=[
                Pattern("relative", after_relation + person_name(stop, max_words=3), self.SCORE)
            ],
            words=assets.words,
            name="RelativeNameRecognizer",
        )
        self._safe = assets.safe_words

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse ordinary words ("daughter Present"), but not a name's word with an initial."""
        word = pattern_text.split()[0]
        if (
            _WORD_AND_INITIAL.fullmatch(pattern_text)
            and self._safe.could_be_name(word)
            and word.lower() not in self._safe.clinical
        ):
            return False  # "Father Will M."; not "Mother Vitamin D.", "Son's Grade A."
        return super().invalidate_result(pattern_text)
