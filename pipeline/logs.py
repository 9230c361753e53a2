"""PHI-safe logging.

Our own log calls pass a fixed message and whitelisted fields (ids, stage names, error
codes, counts, durations); the formatter prints nothing else. It never interpolates
``record.args`` and never prints exception messages or tracebacks, which can carry document
text or file names. Third-party loggers (presidio, pdf2image, PIL, spaCy) are kept to
warnings and their message text is withheld: only their logger name and level come out.
"""

from __future__ import annotations

import json
import logging
from typing import Any

LOGGER_NAME = "chart2fhir"

# The only fields a log line may carry besides the fixed message.
SAFE_FIELDS = (
    "job_id",
    "doc_id",
    "page",
    "pages",
    "stage",
    "code",
    "status",
    "count",
    "seconds",
    "jobs",
    "documents",
    "exc_type",
    "route",  # a web route's template ("/items/{item_id}"), never the URL asked for
)

THIRD_PARTY = ("presidio-analyzer", "PIL", "pdf2image", "spacy", "pytesseract", "dramatiq")


def get_logger(name: str) -> logging.Logger:
    """A child of the chart2fhir logger (``name`` is the module's ``__name__``)."""
    return logging.getLogger(f"{LOGGER_NAME}.{name}")


def fields(**kwargs: Any) -> dict[str, Any]:
    """``extra=`` for a log call, refusing any field that is not on the safe list."""
    unknown = set(kwargs) - set(SAFE_FIELDS)
    if unknown:
        raise ValueError(f"log fields not on the PHI-safe list: {sorted(unknown)}")
    return {"safe": kwargs}


class SafeFormatter(logging.Formatter):
    """One JSON object a line: level, logger, fixed message and the safe fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` without args, exception text or stack."""
        line: dict[str, Any] = {"level": record.levelname, "logger": record.name}
        if record.name == LOGGER_NAME or record.name.startswith(LOGGER_NAME + "."):
            # record.msg is a constant by convention; args are never interpolated.
            line["msg"] = str(record.msg)
            safe = getattr(record, "safe", {})
            line.update({k: v for k, v in safe.items() if k in SAFE_FIELDS})
        else:
            line["msg"] = "(third-party message withheld)"
        if record.exc_info and record.exc_info[0] is not None:
            line["exc_type"] = record.exc_info[0].__name__
        return json.dumps(line, default=str)


def configure_logging(level: str = "INFO", stream: Any = None, *, exclusive: bool = False) -> None:
    """Send every logger through the safe formatter (idempotent).

    ``exclusive``: drop the root's other handlers too (a dramatiq worker process, whose
    own format prints messages and tracebacks as they are).
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if exclusive or getattr(handler, "_chart2fhir", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(SafeFormatter())
    handler._chart2fhir = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger(LOGGER_NAME).setLevel(level)
    for name in THIRD_PARTY:
        logging.getLogger(name).setLevel(logging.WARNING)
