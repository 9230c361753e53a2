"""E-mail addresses (presidio's pattern, checked offline)."""

from __future__ import annotations

import regex as re
from presidio_analyzer.predefined_recognizers import EmailRecognizer as PresidioEmailRecognizer

_TLD = re.compile(r"\.[A-Za-z]{2,24}$")


class ChartEmailRecognizer(PresidioEmailRecognizer):
    """Presidio's e-mail recognizer with a local top-level-domain check.

    Presidio's own check calls tldextract, which fetches the public suffix list from the
    internet unless the process environment says otherwise; a shape check is enough here.
    """

    def __init__(self) -> None:
        super().__init__(name="ChartEmailRecognizer")

    def validate_result(self, pattern_text: str) -> bool:
        """Accept addresses whose domain ends in an alphabetic top-level domain."""
        return bool(_TLD.search(pattern_text))
