"""De-identified text: each PHI span replaced by its label in brackets."""

from __future__ import annotations

from collections.abc import Callable

import regex as re

from pipeline.deid.spans import merge_spans
from pipeline.schema import PhiReport

# Line and page breaks inside a span are kept, so line numbers and pages still line up.
_BREAKS = re.compile(r"([\n\f])")


def deidentify_text(
    text: str, report: PhiReport, *, replace: Callable[[str, str], str] | None = None
) -> str:
    r"""Replace each span of ``report`` with "[LABEL]", keeping line and page breaks.

    A span that runs across a line or page break becomes one "[LABEL]" per piece, with the
    breaks between them ("HARRISON,\nMARGARET" gives "[PERSON]\n[PERSON]").

    Args:
        text: the document text.
        report: the PHI spans.
        replace: what a piece of a span becomes, given its label and text, instead of
            "[LABEL]" (``deid/surrogate.replace_with_surrogates``).

    Raises:
        ValueError: a span lies outside ``text``.

    """
    out: list[str] = []
    at = 0
    for span in merge_spans(report.spans):
        if span.start < 0 or span.end > len(text):
            raise ValueError("A PHI span lies outside the text.")
        out.append(text[at : span.start])
        for piece in _BREAKS.split(text[span.start : span.end]):
            if piece in ("\n", "\f"):
                out.append(piece)
            elif piece:
                out.append(replace(span.label, piece) if replace else f"[{span.label}]")
        at = span.end
    out.append(text[at:])
    return "".join(out)
