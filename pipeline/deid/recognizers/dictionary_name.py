"""Unlabelled names in prose whose first name is in the name dictionary ("Margaret Harrison")."""

from __future__ import annotations

from presidio_analyzer import Pattern

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.name_base import NameRecognizer
from pipeline.deid.recognizers.patterns import NAME_WORD, either_case, not_words


class DictionaryNameRecognizer(NameRecognizer):
    """Recognize names in prose by their first name (models/deid/names_*.txt).

    Shapes: "First [M.] Last" where First is a known first name, and "Last, First" where both
    are known names. The last word must not be an ordinary or clinical word ("Will Follow",
    "Grace Period").
    """

    SCORE = 0.6

    def __init__(self, assets: DeidAssets) -> None:
        labels = assets.labels
        words = assets.words
        # A relation after a name is no surname: "JEFFREY J SPOUSE".
        stop = not_words(
            labels["field_words"]
            + labels["credentials"]
            + labels["person_titles"]
            + labels["relation_words"]
        )
        first = either_case(n.title() for n in words.first_names if len(n) >= 2)
        last = either_case(n.title() for n in words.last_names if len(n) >= 2)
        first_last = rf"(?<![A-Za-z]){first}(?:[ ][A-Z]\.?)?[ ]{stop}{NAME_WORD}(?![A-Za-z'])"
        last_first = rf"(?<![A-Za-z]){last},[ ]{first}(?![A-Za-z'])"
        super().__init__(
            supported_entity="PERSON",
            patterns=[
                Pattern("first last", first_last, self.SCORE),
                Pattern("last, first", last_first, self.SCORE),
            ],
            words=words,
            name="DictionaryNameRecognizer",
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse "Will Follow" (plain last word) and "Grace Period" (no known surname).

        A name whose words include an ordinary word ("Grace", "Rose") needs a known surname.
        """
        words = self.name_words(pattern_text)
        if len(words) < 2 or self.is_plain_word(words[-1]):
            return True
        ordinary = [w for w in words if self.words.is_common(w)]
        return bool(ordinary) and words[-1].lower() not in self.words.last_names
