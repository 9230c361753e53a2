"""Span arithmetic shared by detection and redaction."""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.schema import Span


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Merge overlapping spans into non-overlapping spans sorted by start.

    Each group of overlapping spans becomes one span over their union, so no character any
    recognizer found is left out; it takes the label and score of the best member: the
    highest score, then the longest, then the earliest. Spans that only touch stay apart.
    """
    ordered = sorted((s for s in spans if s.end > s.start), key=lambda s: (s.start, -s.end))
    merged: list[Span] = []
    group: list[Span] = []
    group_end = -1
    for span in ordered:
        if group and span.start >= group_end:
            merged.append(_union(group))
            group = []
        group_end = max(group_end, span.end) if group else span.end
        group.append(span)
    if group:
        merged.append(_union(group))
    return merged


def _union(group: list[Span]) -> Span:
    best = min(group, key=lambda s: (-s.score, -(s.end - s.start), s.start, s.label))
    start = min(s.start for s in group)
    end = max(s.end for s in group)
    return Span(start=start, end=end, label=best.label, score=best.score)
