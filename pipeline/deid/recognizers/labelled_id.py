"""Identifiers after a label: member, policy, group, account, licence, claim, encounter numbers."""

from __future__ import annotations

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.patterns import CASE_INSENSITIVE, ID_SEPARATOR, label_lookbehind

_RANGE = re.compile(r"\d{1,3}(?:\.\d+)?-\d{1,4}(?:\.\d+)?")


class LabelledIdRecognizer(PatternRecognizer):
    """Recognize a 3-20 character code holding a digit after an identifier label."""

    SCORE = 0.85
    # The second form is a prefixed number whose hyphen OCR read as a space ("L21 462199").
    # The third, a number printed in groups ("196 432 680", "4417 2210 0093").
    # The fourth, a capital prefix and a check letter spaced off the number ("DEF 182641 A").
    VALUE = (
        r"(?:[A-Z]\d{1,3}[ ]\d{4,12}|\d{3,4}(?:[ ]\d{3,4}){2,3}(?![ ]?\d)"
        r"|(?-i:[A-Z]{2,4})[ ]\d{4,12}(?:[ ](?-i:[A-Z])(?![A-Za-z0-9]))?"
        r"|(?=[A-Z0-9\-]*\d)[A-Z0-9][A-Z0-9\-]{1,18}[A-Z0-9])"
        r"(?![A-Z0-9\-])"
    )

    def __init__(self, assets: DeidAssets) -> None:
        labels = assets.label_list("id_labels")
        after_label = label_lookbehind(labels, separator=ID_SEPARATOR)
        # A label that ends its line and the value that opens the next ("s/n" / "4501-306x").
        line_above = label_lookbehind(labels, separator=r"[ \t]*[:#]?[ \t]*\n[ \t]*")
        # A driver's licence as the card prints it: "DL 315 307 779"; in capitals only, as
        # "dL" is a decilitre ("mg/dL 120").
        licence = r"(?<=(?<![A-Za-z0-9/])(?-i:DL)[ ]?[#:]?[ ]?)"
        super().__init__(
            supported_entity="ID",
            patterns=[
                Pattern("labelled id", after_label + self.VALUE, self.SCORE),
                Pattern("licence on its card", licence + self.VALUE, self.SCORE),
                Pattern("id below its label", line_above + self.VALUE, self.SCORE),
            ],
            name="LabelledIdRecognizer",
            global_regex_flags=CASE_INSENSITIVE,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse reference ranges ("70-99" after "mg/dL") and values of one repeated digit."""
        if _RANGE.fullmatch(pattern_text):
            return True
        digits = [c for c in pattern_text if c.isdigit()]
        return len(pattern_text) > 3 and len(set(digits)) == 1 and len(digits) == len(pattern_text)
