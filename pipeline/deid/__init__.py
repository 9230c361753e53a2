"""PHI detection and redaction.

``registry.build_analyzer`` builds the presidio analyzer (once per process),
``detect.find_phi`` finds the PHI spans of an OCR document, ``text.deidentify_text`` writes
the de-identified text and ``boxes.redaction_boxes`` gives the word boxes to paint.
"""
