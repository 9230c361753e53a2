"""Image redaction: paint PHI boxes black in the page pixels.

``redacted.pdf`` holds only the painted page images (``pipeline/pdf.py``): there is no text
layer and no overlay that a viewer could remove.
"""

from __future__ import annotations

import numpy as np

from pipeline.schema import Box


def paint(image: np.ndarray, boxes: list[Box]) -> np.ndarray:
    """A copy of ``image`` with every box filled black (clipped to the image)."""
    out = image.copy()
    h, w = out.shape[:2]
    for b in boxes:
        x0, y0 = max(0, b.x0), max(0, b.y0)
        x1, y1 = min(w, b.x1), min(h, b.y1)
        if x1 > x0 and y1 > y0:
            out[y0:y1, x0:x1] = 0
    return out
