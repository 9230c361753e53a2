"""Names followed by a credential: "Sarah Chen, MD", "J. Patel RN", "Mark Lee, PA-C"."""

from __future__ import annotations

from presidio_analyzer import Pattern

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.name_base import NameRecognizer
from pipeline.deid.recognizers.patterns import SP, alternation, not_words, person_name

# Credentials that are surnames too ("Thuy Do, MD").
_SURNAME_CREDENTIALS = frozenset({"do", "pa"})


class CredentialedPersonRecognizer(NameRecognizer):
    """Recognize a name directly before a clinical credential (case-sensitive: "MD", not "md")."""

    SCORE = 0.8

    def __init__(self, assets: DeidAssets) -> None:
        labels = assets.labels
        credentials = assets.label_list("credentials")
        stop = not_words(labels["field_words"] + credentials + labels["person_titles"])
        # The credential is a word of its own: "LEVODOPA" ends in no "PA".
        # OCR may part a physician's credential's letters after the comma: "Jie Ren, M D"
        # (not "P A" nor "R N", which a film's view and a note's nurse print so).
        spaced = alternation(["M D", "D O"])
        credential = (
            rf"(?=(?:,{SP}*|{SP}+){alternation(credentials)}(?![A-Za-z])"
            rf"|,{SP}*{spaced}(?![A-Za-z]))"
        )
        name = rf"(?<![A-Za-z]){person_name(stop, max_words=3)}{credential}"
        # A surname that is also a credential, known by the credential after it, in the
        # name's own case: "Thuy Do, MD", "LINH DO, MD"; not "Abreu RN, BSN".
        then = rf"(?=,{SP}*{alternation(credentials)}(?![A-Za-z]))"
        titled = alternation(w.title() for w in _SURNAME_CREDENTIALS)
        upper = alternation(w.upper() for w in _SURNAME_CREDENTIALS)
        title_name = rf"(?<![A-Za-z]){person_name(stop, max_words=2)}[ ]{titled}{then}"
        upper_name = rf"(?<![A-Za-z])[A-Z]{{2,}}(?:[ \-][A-Z]{{2,}})?[ ]{upper}{then}"
        super().__init__(
            supported_entity="PERSON",
            patterns=[
                Pattern("name, credential", name, self.SCORE),
                Pattern("name, surname like a credential, credential", title_name, self.SCORE),
                Pattern("NAME, SURNAME LIKE A CREDENTIAL, credential", upper_name, self.SCORE),
            ],
            words=assets.words,
            name="CredentialedPersonRecognizer",
        )
        self._safe = assets.safe_words

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse plain words; before a surname like a credential, a word no list holds.

        "Thuy Do, MD" is a name; "Things To Do, RN" and "Ortho Pa, MD" are not.
        """
        if super().invalidate_result(pattern_text):
            return True
        words = self.name_words(pattern_text)
        if words and words[-1].lower() in _SURNAME_CREDENTIALS:
            return all(self._safe.is_safe(w) for w in words[:-1])
        return False
