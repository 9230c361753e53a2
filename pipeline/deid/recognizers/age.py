"""Ages over 89, which HIPAA Safe Harbor counts as identifying: "93-year-old", "Age: 94"."""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.patterns import BAR, CASE_INSENSITIVE, SP, label_lookbehind


class AgeOver89Recognizer(PatternRecognizer):
    """Recognize an age of 90-129; the result covers the number only."""

    AGE = r"(?<![\d.])(?:9\d|1[0-2]\d)"

    def __init__(self, assets: DeidAssets) -> None:
        after_label = label_lookbehind(
            assets.label_list("age_labels"), separator=rf"{SP}*[:\-]?{SP}*{BAR}"
        )
        # OCR may read the hyphen as another mark ("95;year-old").
        years_old = r"(?=\n?[ \-;:,.]?(?:years?|yrs?)[ \-;:,.]?old(?![a-z]))"  # wrapped too
        # Age and sex in one field, as headers and patient lines print them: "93/F", "91yM".
        age_sex = (
            r"(?=[ ]?(?:/|y|Y|yo|YO|y/o|yr|yrs)[ ]?(?:M|F|m|f|Male|Female|male|female)(?![A-Za-z]))"
        )
        # Either may open the next line: "a 102" / "yo man".
        spelt = r"(?:y/o|y\.o\.?|yo|yof|yom)"
        # Not a flowsheet's "Y" under a value: "Pulse 98" / "Y - fall risk".
        short = rf"(?=(?:[ \-]?(?:{spelt}|y)|[ ]?\n{spelt})(?![a-z/]))"
        years = r"(?=(?:[ \-]|[ ]?\n)?(?:years?|yrs?)(?![a-z]))"
        super().__init__(
            supported_entity="AGE",
            patterns=[
                Pattern("N-year-old", self.AGE + years_old, 0.85),
                Pattern("N y/o", self.AGE + short, 0.8),
                Pattern("age label", after_label + self.AGE + r"(?![\d.])", 0.85),
                Pattern("N years", self.AGE + years, 0.3),
                Pattern("N/sex", self.AGE + age_sex, 0.6),
            ],
            context=["age", "aged", "old"],
            name="AgeOver89Recognizer",
            global_regex_flags=CASE_INSENSITIVE,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse ages below 90 (not identifying) and above 129 (not an age)."""
        digits = "".join(c for c in pattern_text if c.isdigit())
        return not digits or not 90 <= int(digits) <= 129
