"""The PipelineError tree: one class, one code, one fixed message per failure.

Most are raised and turn a document ``failed``. A few (E303, E304, E402-E404, E502) are
review reasons: never raised, they name why a document that did complete went to ``review``.

Messages are fixed text and never formatted with document content, file names or a
third-party exception's message, because they go into the manifest and the logs.
The README's error table lists every code here (a test checks that).
"""

from __future__ import annotations

from typing import ClassVar

from pipeline.schema import Stage


class PipelineError(Exception):
    """A failure that becomes a record for its document; the run carries on."""

    code: ClassVar[str] = "E900"
    stage: ClassVar[Stage] = Stage.LOAD
    retryable: ClassVar[bool] = False
    message: ClassVar[str] = "An unexpected error occurred."

    def __init__(self) -> None:
        super().__init__(f"{self.code}: {self.message}")

    @property
    def record(self) -> str:
        """The ``error`` field of a failure record."""
        return f"{self.code}: {self.message}"


class SourceUnreadable(PipelineError):
    code, stage, message = "E100", Stage.LOAD, "The file does not exist or cannot be read."


class EmptyFile(PipelineError):
    code, stage, message = "E101", Stage.LOAD, "The file is empty."


class UnsupportedType(PipelineError):
    code, stage, message = "E102", Stage.LOAD, "The file is not a PDF, TIFF, PNG or JPEG."


class CorruptFile(PipelineError):
    code, stage, message = "E103", Stage.LOAD, "The file is damaged and cannot be decoded."


class EncryptedPdf(PipelineError):
    code, stage, message = "E104", Stage.LOAD, "The PDF is password-protected."


class FileTooLarge(PipelineError):
    code, stage, message = "E105", Stage.LOAD, "The file is larger than the size limit."


class TooManyPages(PipelineError):
    code, stage, message = "E106", Stage.LOAD, "The document has more pages than the limit."


class ImageTooLarge(PipelineError):
    code, stage, message = "E107", Stage.LOAD, "A page has more pixels than the limit."


class CleanupFailed(PipelineError):
    code, stage, message = "E201", Stage.CLEANUP, "Image cleanup failed on a page."


class OcrTimeout(PipelineError):
    code, stage, retryable = "E301", Stage.OCR, True
    message = "OCR took longer than the time limit on a page."


class OcrFailed(PipelineError):
    code, stage, message = "E302", Stage.OCR, "The OCR engine failed on a page."


class NoText(PipelineError):
    code, stage, message = "E303", Stage.OCR, "No text was found on any page."


class LowOcrConfidence(PipelineError):
    code, stage = "E304", Stage.OCR
    message = (
        "OCR on a page is doubtful: its confidence is below the review threshold, or it is a fax."
    )


class PageWorkerCrashed(PipelineError):
    code, stage, retryable = "E305", Stage.OCR, True
    message = "A page worker process died (out of memory or killed)."


class ExtractionFailed(PipelineError):
    code, stage, message = "E401", Stage.EXTRACT, "Clinical extraction failed."


class MissingPatientId(PipelineError):
    code, stage, message = "E402", Stage.EXTRACT, "No patient identifier (MRN) was found."


class LowConfidenceValue(PipelineError):
    code, stage, message = "E403", Stage.EXTRACT, "Some extracted values have low confidence."


class UndatedValue(PipelineError):
    code, stage, message = "E404", Stage.EXTRACT, "Some extracted values have no date."


class DeidFailed(PipelineError):
    code, stage, message = "E501", Stage.DEID, "PHI detection failed."


class RedactionUnverified(PipelineError):
    code, stage = "E502", Stage.REDACT
    # Re-reading found PHI the first pass missed (now painted too), or a page could not be
    # re-read at all: either way a person should look at redacted.pdf.
    message = "Re-reading the redacted pages did not confirm them free of PHI."


class BundleInvalid(PipelineError):
    code, stage, message = "E601", Stage.FHIR, "The FHIR bundle failed R4 validation."


class OutputWriteFailed(PipelineError):
    code, stage, retryable = "E701", Stage.WRITE, True
    message = "Writing the outputs failed."


class InternalError(PipelineError):
    code, stage, message = "E900", Stage.LOAD, "An unexpected error occurred."


def all_errors() -> list[type[PipelineError]]:
    """Every concrete error class, in code order."""
    found: list[type[PipelineError]] = []
    stack = list(PipelineError.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.code)
