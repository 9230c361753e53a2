"""Web addresses: "https://portal.example.org/x", "www.riverside-med.org", "riverside.health"."""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer

from pipeline.deid.recognizers.patterns import CASE_INSENSITIVE


class ChartUrlRecognizer(PatternRecognizer):
    """Recognize URLs with a scheme or "www.", or a host under a common top-level domain.

    Narrower than presidio's recognizer, whose hundreds of country-code domains match
    clinical abbreviations with dots.
    """

    TLDS = r"(?:com|org|net|edu|gov|mil|us|health|care|clinic|hospital|info|biz|io|co)"
    TAIL = r"(?:/[^\s<>\"'()]*[^\s<>\"'().,;:!?])?"

    def __init__(self) -> None:
        host = r"[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?"
        super().__init__(
            supported_entity="URL",
            patterns=[
                Pattern("scheme", r"\b(?:https?|ftp)://[^\s<>\"']*[^\s<>\"'().,;:!?]", 0.8),
                # OCR often breaks "www." as "www. " or "www-.".
                Pattern(
                    "www",
                    rf"\bwww\d?[.\-]{{1,2}}[ ]?(?:{host}\.)+[a-z]{{2,24}}\b{self.TAIL}",
                    0.8,
                ),
                # A faxed page loses the dots: "www motaiesfort org", "www. schultz,org",
                # or breaks the host with a space: "www. hughes familymedicine.org".
                Pattern(
                    "www, dots lost",
                    rf"\bwww[.,\-]?[ ]?{host}(?:(?:[.,][ ]?|[ ]){host}){{0,3}}"
                    rf"(?:[ ]|[.,][ ]?){self.TLDS}\b",
                    0.7,
                ),
                Pattern(
                    "host",
                    rf"(?<![@\w.\-])(?:{host}\.)+{self.TLDS}(?![\w\-]|\.\w){self.TAIL}",
                    0.5,
                ),
            ],
            context=["url", "website", "web", "portal", "online"],
            name="ChartUrlRecognizer",
            global_regex_flags=CASE_INSENSITIVE,
        )
