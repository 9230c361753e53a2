"""Surrogates: made-up values that stand in for PHI in the de-identified outputs.

Every surrogate is a keyed hash (HMAC-SHA256) of the original value, so the same patient
gets the same surrogate name, identifiers and date shift in every document and every run
that uses the same key, and without the key nobody can go back from a surrogate to the
value (a plain hash of an MRN could be reversed by hashing every possible MRN). The key
comes from ``DeidSettings.surrogate_key`` or, when unset, from ``OUTDIR/deid.key``, made on
the first run (``load_or_create_key``).

Dates move back by a whole number of days, the same for every date of one patient
(1..``max_date_shift_days``), so that intervals between visits survive. A patient who was 90
or older on the document's date has no birth date in the de-identified bundle (Safe Harbor:
ages over 89 are pooled as "90 or older").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import regex as re

from pipeline.deid.assets import DeidAssets, WordLists
from pipeline.deid.detect import date_key
from pipeline.deid.spans import merge_spans
from pipeline.schema import Extraction, Patient, PhiReport
from pipeline.settings import DeidSettings

KEY_FILE = "deid.key"
OLDEST_AGE = 90  # Safe Harbor: ages over 89 are pooled
# Words of a name span that identify no one and read better kept ("Dr. [name]").
_TITLES = frozenset(
    "dr mr mrs ms miss md do rn np pa pac phd dds dpm lpn cna jr sr ii iii iv".split()
)
# The kind of place a facility is: kept after its surrogate name ("Bennett Clinic").
_FACILITY_KINDS = frozenset(
    "hospital clinic center centre medical health healthcare practice associates group "
    "laboratory laboratories lab labs pharmacy services care".split()
)
_PIECES = re.compile(r"[A-Za-z]+|[0-9]+|[^A-Za-z0-9]+")
_DIGITS = "0123456789"
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as digits


def load_or_create_key(out_dir: Path, cfg: DeidSettings) -> bytes:
    """The surrogate key: ``cfg.surrogate_key``, else ``out_dir/deid.key`` (made if missing).

    A new key file is written with mode 0600 under a temporary name and linked into place,
    so that two runs starting together agree on one key.
    """
    if cfg.surrogate_key is not None:
        return cfg.surrogate_key.get_secret_value().encode()
    path = out_dir / KEY_FILE
    if not path.exists():
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = out_dir / f".{KEY_FILE}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)  # fails if another run made it first: theirs is kept
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="utf-8").strip().encode()


@dataclass(frozen=True)
class DeidExtraction:
    """An extraction with the patient replaced by a surrogate and every date shifted."""

    extraction: Extraction
    doc_id: str  # a surrogate for the document id (which is the scan's hash)
    ninety_or_older: bool  # the birth date was withheld: the patient was 90 or older


class Surrogates:
    """Surrogate values under one key; word lists give names that look like names."""

    def __init__(self, key: bytes, assets: DeidAssets, *, max_shift_days: int = 365) -> None:
        self._key = key
        self._words = assets.words
        self._first = sorted(assets.words.first_names)
        self._last = sorted(assets.words.last_names)
        self._suffixes = assets.street_suffixes
        self._max_shift = max(1, max_shift_days)

    def _digest(self, kind: str, value: str) -> bytes:
        message = f"{kind}\0{' '.join(value.casefold().split())}".encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def _pick(self, kind: str, value: str, choices: list[str]) -> str:
        n = int.from_bytes(self._digest(kind, value)[:8], "big")
        pick = choices[n % len(choices)]
        if pick == value.casefold():  # never the value itself
            pick = choices[(n + 1) % len(choices)]
        return pick

    def doc_id(self, doc_id: str) -> str:
        """The surrogate document id: 16 hex digits."""
        return self._digest("doc", doc_id).hex()[:16]

    def shift_days(self, patient_key: str) -> int:
        """Days to move this patient's dates back (1..max_shift_days)."""
        n = int.from_bytes(self._digest("shift", patient_key)[:8], "big")
        return 1 + n % self._max_shift

    def name_word(self, word: str) -> str:
        """A surrogate for one word of a name, in the word's case style."""
        w = word.casefold()
        choices = self._first if w in self._first and w not in self._last else self._last
        return _same_case(self._pick("name", w, choices), word)

    def code(self, kind: str, value: str) -> str:
        """``value`` with each digit and letter replaced, separators kept ("(217) 555-0100").

        The same value always gets the same surrogate; a different one almost never does.
        """
        stream = self._digest(kind, value)
        while len(stream) < len(value):
            stream += hashlib.sha256(stream).digest()
        out = []
        for c, b in zip(value, stream, strict=False):
            if c.isdigit():
                out.append(_DIGITS[b % 10])
            elif c.isalpha():
                letter = _LETTERS[b % len(_LETTERS)]
                out.append(letter if c.isupper() else letter.lower())
            else:
                out.append(c)
        return "".join(out)

    def text_for(self, label: str, value: str, *, shift_days: int) -> str:
        """A made-up value of the same kind for the PHI ``value`` of ``label``."""
        if label == "DATE":
            return shift_date_text(value, shift_days, self._words) or "[DATE]"
        if label == "AGE":
            return "90+"
        if label == "EMAIL_ADDRESS":
            return f"user-{self._digest('email', value).hex()[:8]}@example.org"
        if label == "URL":
            return f"https://example.org/{self._digest('url', value).hex()[:8]}"
        if label in ("PERSON", "CITY", "FACILITY", "STREET_ADDRESS"):
            return self._name_words(label, value)
        return self.code(label, value)

    def _name_words(self, label: str, value: str) -> str:
        out = []
        named = False
        for piece in _PIECES.findall(value):
            low = piece.casefold()
            if piece[0].isdigit():
                out.append(self.code(label, piece))
            elif not piece[0].isalpha():
                out.append(piece)
            elif (
                (label == "PERSON" and low in _TITLES)
                or (label == "STREET_ADDRESS" and low in self._suffixes)
                or (label == "FACILITY" and low in _FACILITY_KINDS)
            ):
                out.append(piece)
            elif label == "FACILITY" and named:
                out.append("")  # one surrogate word names the place
            else:
                out.append(self.name_word(piece))
                named = True
        return " ".join("".join(out).split())


def replace_with_surrogates(
    text: str, report: PhiReport, *, surrogates: Surrogates, shift_days: int
) -> str:
    """``text`` with each PHI span replaced by a surrogate of its kind (deid.txt, surrogate mode).

    Line and page breaks inside a span are kept, as in ``deid/text.deidentify_text``: each
    piece between them is replaced on its own.
    """
    out: list[str] = []
    at = 0
    for span in merge_spans(report.spans):
        if span.start < 0 or span.end > len(text):
            raise ValueError("A PHI span lies outside the text.")
        out.append(text[at : span.start])
        for piece in re.split(r"([\n\f])", text[span.start : span.end]):
            if piece in ("\n", "\f") or not piece.strip():
                out.append(piece)
            else:
                out.append(surrogates.text_for(span.label, piece, shift_days=shift_days))
        at = span.end
    out.append(text[at:])
    return "".join(out)


def patient_key(patient: Patient, doc_id: str) -> str:
    """What identifies the patient across documents: the MRN, else name and birth date."""
    if patient.mrn:
        return f"mrn:{patient.mrn}"
    if patient.family and patient.birth_date:
        return f"name:{patient.family}|{' '.join(patient.given)}|{patient.birth_date}"
    return f"doc:{doc_id}"


def deidentify_extraction(
    extraction: Extraction, *, doc_id: str, surrogates: Surrogates
) -> DeidExtraction:
    """The extraction as bundle.deid.json carries it: surrogate patient, dates shifted.

    Values, codes and units are kept. A birth date is kept (shifted) only when the patient
    was under 90 on the document's date; with no date to tell, it is withheld.
    """
    p = extraction.patient
    days = surrogates.shift_days(patient_key(p, doc_id))
    reference = extraction.document_date or max(
        (o.effective for o in extraction.observations if o.effective), default=None
    )
    birth, old = None, False
    if p.birth_date:
        age = _age(p.birth_date, reference) if reference else None
        old = age is None or age >= OLDEST_AGE
        birth = None if old else shift_iso(p.birth_date, days)
    patient = Patient(
        mrn=surrogates.code("MRN", p.mrn) if p.mrn else None,
        family=surrogates.name_word(p.family) if p.family else None,
        given=tuple(surrogates.name_word(g) for g in p.given),
        birth_date=birth,
        gender=p.gender,
    )
    observations = tuple(
        o.model_copy(update={"effective": shift_iso(o.effective, days)}) if o.effective else o
        for o in extraction.observations
    )
    shifted = extraction.model_copy(
        update={
            "patient": patient,
            "document_date": shift_iso(extraction.document_date, days)
            if extraction.document_date
            else None,
            "observations": observations,
        }
    )
    return DeidExtraction(
        extraction=shifted,
        doc_id=surrogates.doc_id(doc_id),
        ninety_or_older=bool(p.birth_date) and old and birth is None,
    )


def shift_iso(value: str, days: int) -> str:
    """An ISO date or dateTime moved back ``days`` days; the time of day is kept.

    A year alone or a year and month cannot be shifted by days: it is cut to the year of
    the shifted first day, which is still no more precise than the original.
    """
    if len(value) >= 10:
        day = dt.date.fromisoformat(value[:10]) - dt.timedelta(days=days)
        return day.isoformat() + value[10:]
    year = int(value[:4])
    first = dt.date(year, int(value[5:7]) if len(value) >= 7 else 1, 1)
    return str((first - dt.timedelta(days=days)).year)


def shift_date_text(value: str, days: int, words: WordLists) -> str | None:
    """A date as printed, shifted and printed in the same style; None if it is not a full date.

    "03/14/2023" keeps slashes, "2023-03-14" stays ISO, "Mar 14, 2023" keeps a month name.
    """
    key = date_key(value, words)
    if key is None:
        return None
    try:
        day = dt.date(int(key[:4]), int(key[4:6]), int(key[6:])) - dt.timedelta(days=days)
    except ValueError:
        return None
    if re.search(r"[A-Za-z]{3}", value):  # a month name ("O3" is a misread digit)
        return day.strftime("%b %d, %Y")
    if re.match(r"\s*\d{4}", value):
        return day.isoformat()
    sep = "-" if "-" in value else "." if "." in value else "/"
    return f"{day.month:02d}{sep}{day.day:02d}{sep}{day.year}"


def _age(birth: str, on: str) -> int | None:
    try:
        b, d = dt.date.fromisoformat(birth[:10]), dt.date.fromisoformat(on[:10])
    except ValueError:
        return None
    return d.year - b.year - ((d.month, d.day) < (b.month, b.day))


def _same_case(word: str, like: str) -> str:
    if like.isupper():
        return word.upper()
    if like[:1].isupper():
        return word.capitalize()
    return word
