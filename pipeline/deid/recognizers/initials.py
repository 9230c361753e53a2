"""A person's initials after their label: "Patient initials: RDS", "initial here: J.Q.K."."""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.patterns import BAR, CASE_SENSITIVE, SP, label_lookbehind


class InitialsRecognizer(PatternRecognizer):
    """Recognize two or three capital letters, dotted or not, after an initials label.

    Consent and release forms ask the patient to initial each clause; the initials are
    the patient's name, whatever word they spell ("MD", "YRS").
    """

    SCORE = 0.85
    VALUE = r"(?:[A-Z]\.?[ ]?){1,2}[A-Z]\.?(?![A-Za-z])"

    def __init__(self, assets: DeidAssets) -> None:
        after_label = label_lookbehind(
            assets.label_list("initials_labels"), separator=rf"{SP}*[:\-]{SP}*{BAR}"
        )
        super().__init__(
            supported_entity="PERSON",
            patterns=[Pattern("initials", after_label + self.VALUE, self.SCORE)],
            name="InitialsRecognizer",
            global_regex_flags=CASE_SENSITIVE,
        )
