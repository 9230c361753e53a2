"""US National Provider Identifiers (10 digits with a Luhn check digit), reported as ID."""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer

from pipeline.deid.recognizers.patterns import CASE_INSENSITIVE


def npi_checksum_ok(digits: str) -> bool:
    """The CMS check: Luhn over "80840" + the ten digits."""
    total = 0
    for i, ch in enumerate(reversed("80840" + digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


class NpiRecognizer(PatternRecognizer):
    """Recognize an NPI; one in ten random numbers passes the check, so it needs context."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="ID",
            patterns=[
                Pattern("NPI", r"(?<![\d\-])[12]\d{9}(?![\d\-])", 0.3),
                Pattern("NPI grouped", r"(?<![\d\-])[12]\d{3}[ \-]\d{3}[ \-]\d{3}(?![\d\-])", 0.3),
            ],
            context=["npi", "provider", "prescriber"],
            name="NpiRecognizer",
            global_regex_flags=CASE_INSENSITIVE,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse numbers failing the NPI check digit or made of one repeated digit."""
        digits = "".join(c for c in pattern_text if c.isdigit())
        return len(set(digits[:-1])) == 1 or not npi_checksum_ok(digits)
