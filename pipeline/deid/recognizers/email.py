"""E-mail addresses (presidio's pattern, checked offline), and ones OCR has lost a dot of."""

from __future__ import annotations

import regex as re
from presidio_analyzer import Pattern
from presidio_analyzer.predefined_recognizers import EmailRecognizer as PresidioEmailRecognizer

from pipeline.deid.recognizers.url import ChartUrlRecognizer

_TLD = re.compile(r"\.[A-Za-z]{2,24}$")
# The top-level domain after a space or comma where OCR dropped the dot ("x@y org").
_DAMAGED_TLD = re.compile(rf"(?i)(?:[ ]|[.,][ ]?){ChartUrlRecognizer.TLDS}$")
_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"


class ChartEmailRecognizer(PresidioEmailRecognizer):
    """Presidio's e-mail recognizer with a local top-level-domain check.

    Presidio's own check calls tldextract, which fetches the public suffix list from the
    internet unless the process environment says otherwise; a shape check is enough here.
    A faxed page turns "records@example.org" into "records@example org" or "example,org":
    that form is accepted only with a common top-level domain (``ChartUrlRecognizer.TLDS``).
    """

    DAMAGED = Pattern(
        "email, dot lost",
        rf"(?i)\b[A-Za-z0-9._%+\-]+@{_HOST}(?:[.,][ ]?{_HOST})*?"
        rf"(?:[ ]|[.,][ ]?){ChartUrlRecognizer.TLDS}\b",
        0.6,
    )

    def __init__(self) -> None:
        super().__init__(patterns=[*self.PATTERNS, self.DAMAGED], name="ChartEmailRecognizer")

    def validate_result(self, pattern_text: str) -> bool:
        """Accept addresses whose domain ends in an alphabetic top-level domain."""
        return bool(_TLD.search(pattern_text) or _DAMAGED_TLD.search(pattern_text))
