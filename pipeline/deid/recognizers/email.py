"""E-mail addresses (presidio's pattern, checked offline), and ones OCR has lost a dot of."""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex as re
from presidio_analyzer import Pattern, RecognizerResult
from presidio_analyzer.predefined_recognizers import EmailRecognizer as PresidioEmailRecognizer

from pipeline.deid.recognizers.url import ChartUrlRecognizer

if TYPE_CHECKING:
    from presidio_analyzer.nlp_engine import NlpArtifacts

_TLD = re.compile(r"\.[A-Za-z]{2,24}$")
# The top-level domain after a space or comma where OCR dropped the dot ("x@y org").
_DAMAGED_TLD = re.compile(rf"(?i)(?:[ ]|[ ]?[.,][ ]?){ChartUrlRecognizer.TLDS}$")
_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
# A piece of a local part that OCR split off with a space next to its dot or underscore.
_LOCAL_PIECE = r"[A-Za-z0-9%+\-]+(?:[._][A-Za-z0-9%+\-]+)*"
# After an e-mail label the whole value is the address: "Email: amber .jones@x.net",
# "E-mail: amber. jones@x.net", "Email: a. b .c@x.net".
_LABELLED_HEAD = re.compile(
    rf"(?<![A-Za-z])(?i:e-?mail(?:[ ]address)?)[ \t]*[:\-]?[ \t]*"
    rf"((?:{_LOCAL_PIECE}(?:[ ][._]|[._][ ]|[ ][._][ ]))+)$"
)
# Unlabelled, only "word ." glued to the local part: no sentence puts a space before its
# full stop, while "call me. jones@x.org" ends one sentence before the address.
_GLUED_HEAD = re.compile(rf"(?<![\w.@%+\-])({_LOCAL_PIECE}[ ][._])$")
_HEAD_WINDOW = 80


class ChartEmailRecognizer(PresidioEmailRecognizer):
    """Presidio's e-mail recognizer with a local top-level-domain check.

    Presidio's own check calls tldextract, which fetches the public suffix list from the
    internet unless the process environment says otherwise; a shape check is enough here.
    A faxed page turns "records@example.org" into "records@example org" or "example,org",
    and OCR spaces its parts ("amy.lu @example.org", "amy.lu@example .org"): those forms are
    accepted only with a common top-level domain (``ChartUrlRecognizer.TLDS``).
    """

    DAMAGED = Pattern(
        "email, dot lost or spaced",
        rf"(?i)\b[A-Za-z0-9._%+\-]+@{_HOST}(?:[ ]?[.,][ ]?{_HOST})*?"
        rf"(?:[ ]|[ ]?[.,][ ]?){ChartUrlRecognizer.TLDS}\b",
        0.6,
    )
    # A space OCR put beside the "@" only with the domain's dots in place: "Family @
    # bedside, care plan" is shorthand, "amy.lu @example.org" an address.
    SPACED_AT = Pattern(
        "email, spaced at",
        rf"(?i)\b[A-Za-z0-9._%+\-]+(?:[ ]@[ ]?|@[ ]){_HOST}(?:\.{_HOST})*"
        rf"\.{ChartUrlRecognizer.TLDS}\b",
        0.6,
    )

    def __init__(self) -> None:
        super().__init__(
            patterns=[*self.PATTERNS, self.DAMAGED, self.SPACED_AT], name="ChartEmailRecognizer"
        )

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """Run the patterns, then take back a piece of the local part OCR split off."""
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        for result in results:
            result.start = split_local_start(text, result.start)
        return results

    def validate_result(self, pattern_text: str) -> bool:
        """Accept addresses whose domain ends in an alphabetic top-level domain."""
        return bool(_TLD.search(pattern_text) or _DAMAGED_TLD.search(pattern_text))


def split_local_start(text: str, start: int) -> int:
    """Where an address found at ``start`` really starts, with a split-off piece taken back.

    Args:
        text: the text the address was found in.
        start: the start of the local part as the pattern found it ("jones69@...").

    """
    before = text[max(0, start - _HEAD_WINDOW) : start]
    for head in (_LABELLED_HEAD, _GLUED_HEAD):
        m = head.search(before)
        if m is not None:
            return start - (len(before) - m.start(1))
    return start
