"""The PipelineError tree: one class, one code, one fixed message per failure.

Most are raised and turn a document ``failed``. A few (E303, E304, E402-E406, E502) are
review reasons: never raised, they name why a document that did complete went to ``review``.
E503 and E504 are the review app's (an item's reason; a document a reviewer rejected).
E801-E810 are chart2fhir load's, per document in OUTDIR/load.json.

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


class PatientIdentityConflict(PipelineError):
    code, stage, message = (
        "E405",
        Stage.EXTRACT,
        "Another document has this MRN with a different name or birth date.",
    )


class PossibleDuplicateChart(PipelineError):
    code, stage, message = (
        "E406",
        Stage.EXTRACT,
        "Another document has this name and birth date under a different MRN.",
    )


class DeidFailed(PipelineError):
    code, stage, message = "E501", Stage.DEID, "PHI detection failed."


class RedactionUnverified(PipelineError):
    code, stage = "E502", Stage.REDACT
    # Re-reading found PHI the first pass missed (now painted too), or a page could not be
    # re-read at all: either way a person should look at redacted.pdf.
    message = "Re-reading the redacted pages did not confirm them free of PHI."


class PhiNearThreshold(PipelineError):
    # A review item of the review app (pipeline/review/items.py), never a document's reason.
    code, stage = "E503", Stage.DEID
    message = "A PHI detection scored close to its threshold: is it PHI?"


class RejectedInReview(PipelineError):
    # Recorded by the review app when a reviewer rejects a whole document.
    code, stage = "E504", Stage.DEID
    message = "A reviewer rejected the document: it is held back from the records system."


class BundleInvalid(PipelineError):
    code, stage, message = "E601", Stage.FHIR, "The FHIR bundle failed R4 validation."


class OutputWriteFailed(PipelineError):
    code, stage, retryable = "E701", Stage.WRITE, True
    message = "Writing the outputs failed."


class SealedUnreadable(PipelineError):
    code, stage = "E702", Stage.WRITE
    message = "A sealed file cannot be opened: its key is not configured, or it was altered."


# chart2fhir load: POSTing a document's bundle to a FHIR server, after the pipeline (so in
# the FHIR stage). E801-E803 are retried (CHART2FHIR_FHIR_LOAD__MAX_ATTEMPTS); the code of
# the last attempt is the document's. E809 is the reason a document was skipped, never raised.


class FhirUnreachable(PipelineError):
    code, stage, retryable = "E801", Stage.FHIR, True
    message = "The FHIR server could not be reached."


class FhirTimeout(PipelineError):
    code, stage, retryable = "E802", Stage.FHIR, True
    message = "The FHIR server did not answer within the time limit."


class FhirUnavailable(PipelineError):
    code, stage, retryable = "E803", Stage.FHIR, True
    message = "The FHIR server was busy or unavailable (HTTP 408, 429, 502, 503 or 504)."


class BundleRejected(PipelineError):
    code, stage, message = "E804", Stage.FHIR, "The FHIR server rejected the bundle (HTTP 4xx)."


class FhirServerFailed(PipelineError):
    code, stage = "E805", Stage.FHIR
    message = "The FHIR server failed on the bundle (HTTP 5xx, or a status it should not send)."


class BadTransactionResponse(PipelineError):
    code, stage = "E806", Stage.FHIR
    message = "The FHIR server's answer is not a transaction-response with an entry per request."


class EntryRejected(PipelineError):
    code, stage = "E807", Stage.FHIR
    message = "The FHIR server refused some entries of the bundle."


class BundleUnreadable(PipelineError):
    code, stage = "E808", Stage.FHIR
    message = "The bundle file cannot be read or is not JSON of a FHIR Bundle."


class NoBundle(PipelineError):
    code, stage = "E809", Stage.FHIR
    message = "The document has no bundle to load (ingest failed on it)."


class IdentityHeld(PipelineError):
    code, stage = "E810", Stage.FHIR
    message = "Held back: the patient's identity conflicts with another document's (E405/E406)."


class InternalError(PipelineError):
    code, stage, message = "E900", Stage.LOAD, "An unexpected error occurred."


class DocumentWorkerDied(PipelineError):
    # The worker queues' join (workers/actors.py) was delivered again and again because its
    # worker died each time: the document is recorded failed, its message dead-lettered.
    code, stage = "E901", Stage.EXTRACT
    message = "The worker assembling the document died on it repeatedly (out of memory or killed)."


class ServiceUnavailable(PipelineError):
    # The worker queues' broker or state database went away mid-message (a restart, a
    # network cut): tried again once it is back.
    code, stage, retryable = "E902", Stage.LOAD, True
    message = "The broker or the state database was unreachable."


def message_of(code: str) -> str:
    """The fixed message of ``code`` ("E402"), or the internal error's if unknown."""
    for cls in all_errors():
        if cls.code == code:
            return cls.message
    return InternalError.message


def is_retryable(error: str) -> bool:
    """Whether the ``error`` field of a record ("E301: ...") names a retryable error."""
    return any(cls.retryable and error.startswith(cls.code + ":") for cls in all_errors())


def all_errors() -> list[type[PipelineError]]:
    """Every concrete error class, in code order."""
    found: list[type[PipelineError]] = []
    stack = list(PipelineError.__subclasses__())
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return sorted(found, key=lambda c: c.code)
