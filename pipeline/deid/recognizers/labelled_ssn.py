"""Social security numbers after an "SSN" label, however OCR damaged them.

presidio's UsSsnRecognizer wants a well-formed 3-2-4 number; OCR inserts, drops and swaps
characters ("045-005-5913", "123-45-678g"). After the label the value is PHI whatever shape
it arrived in.
"""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.patterns import CASE_INSENSITIVE, ID_SEPARATOR, label_lookbehind


class LabelledSsnRecognizer(PatternRecognizer):
    """Recognize 7-11 digits (OCR look-alikes allowed) in dash/space groups after "SSN"."""

    SCORE = 0.9
    # Digits or their OCR look-alikes, in groups joined by one dash, dot or space.
    DIGIT = r"[0-9OoIlSsBg]"
    VALUE = rf"(?={DIGIT}*\d){DIGIT}{{2,4}}(?:[\- .]{DIGIT}{{2,4}}){{1,3}}(?![A-Za-z0-9])"
    SHAPED = r"\d{3}[\- ]\d{2}[\- ]\d{4}(?![\w\-])"

    def __init__(self, assets: DeidAssets) -> None:
        after_label = label_lookbehind(assets.label_list("ssn_labels"), separator=ID_SEPARATOR)
        # On the next line under a label that ends its line, only in an SSN's own shape:
        # "Soc. Sec. #" / "439 38 1468"; not a table's row of doses or times.
        below_label = label_lookbehind(
            assets.label_list("ssn_labels"), separator=r"[ \t]*[:#.]{0,2}[ \t]*\n[ \t]*"
        )
        super().__init__(
            supported_entity="US_SSN",
            patterns=[
                Pattern("labelled ssn", after_label + self.VALUE, self.SCORE),
                Pattern("ssn under its label", below_label + self.SHAPED, self.SCORE),
            ],
            name="LabelledSsnRecognizer",
            global_regex_flags=CASE_INSENSITIVE,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse values with fewer than 7 real digits (nothing left to identify)."""
        return sum(c.isdigit() for c in pattern_text) < 7
