"""ZIP codes in address context: "IL 62704", "Illinois 62704-1234", "Zip: 62704"."""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.city import state_regex
from pipeline.deid.recognizers.patterns import (
    ADDRESS_GAP,
    BAR,
    CASE_SENSITIVE,
    NOISY_STATE,
    NOISY_ZIP,
    SP,
    label_lookbehind,
)


class ZipCodeRecognizer(PatternRecognizer):
    """Recognize a 5- or 9-digit ZIP after a state (itself after a word) or a ZIP label.

    A bare five-digit number is never taken: on a chart it is far more often a lab value,
    a count or an order number.
    """

    SCORE = 0.85
    NOISY_SCORE = 0.6
    ZIP = r"\d{5}(?:-\d{4})?(?![\d\-])"

    def __init__(self, assets: DeidAssets) -> None:
        after_state = rf"(?<=[A-Za-z.]{ADDRESS_GAP}{state_regex(assets)}\.?,?{SP}+)"
        after_label = label_lookbehind(
            assets.label_list("zip_labels"), separator=rf"{SP}*[:#]?{SP}*{BAR}"
        )
        # "Williamhaven, fN 13280", "Port Kathyburgh, RE SC692?": a faxed page garbled the
        # state or a ZIP digit. A comma straight after a word, then a state-shaped token.
        after_noisy_state = rf"(?<=[A-Za-z],{SP}*(?:\n{SP}*)?{NOISY_STATE}\.?,?{SP}+)"
        super().__init__(
            supported_entity="ZIP_CODE",
            patterns=[
                Pattern("state zip", after_state + self.ZIP, self.SCORE),
                Pattern("garbled state zip", after_noisy_state + NOISY_ZIP, self.NOISY_SCORE),
                Pattern("labelled zip", after_label + self.ZIP, self.SCORE),
            ],
            name="ZipCodeRecognizer",
            global_regex_flags=CASE_SENSITIVE,
        )
