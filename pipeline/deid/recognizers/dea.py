"""DEA registration numbers (two letters, seven digits, a check digit), reported as ID."""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer

from pipeline.deid.recognizers.patterns import CASE_SENSITIVE


def dea_checksum_ok(digits: str) -> bool:
    """The DEA check: (d1+d3+d5) + 2*(d2+d4+d6) ends in d7."""
    d = [int(c) for c in digits]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


class DeaRecognizer(PatternRecognizer):
    """Recognize a DEA number such as "AB1234563" (first letter = registrant type)."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="ID",
            patterns=[
                Pattern("DEA", r"(?<![A-Za-z0-9])[ABCDEFGHJKLMPRSTUX][A-Z9]\d{7}(?!\d)", 0.5)
            ],
            context=["dea", "registration", "prescriber"],
            name="DeaRecognizer",
            global_regex_flags=CASE_SENSITIVE,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse values whose check digit is wrong."""
        return not dea_checksum_ok(pattern_text[2:])
