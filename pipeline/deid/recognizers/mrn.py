"""Medical record numbers after an MRN label: "MRN: 4829173", "Med Rec # MR-00482917"."""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.patterns import CASE_INSENSITIVE, ID_SEPARATOR, label_lookbehind


class MrnRecognizer(PatternRecognizer):
    """Recognize an MRN: a 4-16 character code with at least four digits after an MRN label.

    Every MRN found is also searched for in the rest of the document (detect.find_phi).
    """

    SCORE = 0.9
    # OCR reads a leading "E" as "£" or "€" now and then: keep the symbol in the value.
    VALUE = (
        r"(?=[£€$§]?[A-Z0-9-]*(?:\d[A-Z-]*){4})"
        r"(?:[£€$§]|[A-Z0-9])[A-Z0-9-]{2,14}[A-Z0-9](?![A-Z0-9-])"
    )

    SPLIT = r"(?=(?:\d[ ]?){5})\d{2,8}[ ]\d{2,8}(?=[ ]*(?:[\n\f]|$))"

    def __init__(self, assets: DeidAssets) -> None:
        after_label = label_lookbehind(assets.label_list("mrn_labels"), separator=ID_SEPARATOR)
        super().__init__(
            supported_entity="MRN",
            patterns=[
                Pattern("labelled MRN", after_label + self.VALUE, self.SCORE),
                # Digits OCR split with a space, ending the line: "MRN: 251 202".
                Pattern("labelled MRN, split", after_label + self.SPLIT, self.SCORE),
            ],
            context=["mrn", "record", "chart"],
            name="MrnRecognizer",
            global_regex_flags=CASE_INSENSITIVE,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse values whose digits are all the same ("0000000": a blank form)."""
        digits = [c for c in pattern_text if c.isdigit()]
        return len(set(digits)) <= 1
