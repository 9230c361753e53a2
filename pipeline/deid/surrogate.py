"""Surrogates: made-up values that stand in for PHI in the de-identified outputs.

Every surrogate is a keyed hash (HMAC-SHA256) of the original value, so the same patient
gets the same surrogate name, identifiers and date shift in every document and every run
that uses the same key, and without the key nobody can go back from a surrogate to the
value (a plain hash of an MRN could be reversed by hashing every possible MRN). The key
comes from ``DeidSettings.surrogate_key`` or, when unset, from ``OUTDIR/deid.key``, made on
the first run (``load_or_create_key``).

Dates move back by a whole number of days, the same for every date of one patient
(1..``max_date_shift_days``), so that intervals between visits survive. A patient who was 90
or older on the document's latest date has no birth date in the de-identified outputs (Safe
Harbor: ages over 89 are pooled as "90 or older"); neither has one whose age cannot be told.

Shifted dates and keyed codes make these outputs pseudonymized, not Safe Harbor
de-identified (which keeps only the year of a date): the Safe Harbor report says so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

import regex as re

from pipeline.deid.assets import DeidAssets, WordLists
from pipeline.deid.recognizers.ocr_date import date_key
from pipeline.deid.text import deidentify_text
from pipeline.schema import Allergy, Extraction, Listed, Patient, PhiReport, Span
from pipeline.settings import DeidSettings
from pipeline.vault import PLAIN, Vault

KEY_FILE = "deid.key"
MIN_KEY_BYTES = 32  # shorter keys could be searched from one known MRN and its surrogate
OLDEST_AGE = 90  # Safe Harbor: ages over 89 are pooled
# Words of a name span that identify no one and read better kept ("Dr. [name]", "[name],
# MD"), where they stand as titles: first with a full stop, or after a comma. "Do" and "Pa"
# are surnames too.
_TITLES = frozenset(
    "dr mr mrs ms miss md do rn np pa pac phd dds dpm lpn cna jr sr ii iii iv".split()
)
# Unit words of a street address ("Suite 364"): kept, with a final street suffix ("Road").
_UNITS = frozenset("suite ste apt apartment unit floor fl rm room bldg building".split())
# The kind of place a facility is: kept after its surrogate name ("Bennett Clinic").
_FACILITY_KINDS = frozenset(
    "hospital clinic center centre medical health healthcare practice associates group "
    "laboratory laboratories lab labs pharmacy services care".split()
)
_PIECES = re.compile(r"[A-Za-z]+|[0-9]+|[^A-Za-z0-9]+")
_DIGITS = "0123456789"
_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as digits


def load_or_create_key(out_dir: Path, cfg: DeidSettings, vault: Vault = PLAIN) -> bytes:
    """The surrogate key: ``cfg.surrogate_key``, else ``out_dir/deid.key`` (made if missing).

    A new key file is written with mode 0600 under a temporary name and linked into place,
    so that two runs starting together agree on one key. It is sealed by ``vault`` (when it
    has a key): whoever holds it can link surrogates back to patients.
    """
    if cfg.surrogate_key is not None:
        key = cfg.surrogate_key.get_secret_value().encode()
    else:
        path = out_dir / KEY_FILE
        if not path.exists():
            _make_key_file(path, vault)
        key = vault.read(path).strip()
    if len(key) < MIN_KEY_BYTES:
        raise ValueError("The surrogate key is too short.")
    return key


def _make_key_file(path: Path, vault: Vault) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{KEY_FILE}.", dir=path.parent)  # 0600, O_EXCL
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(vault.seal((secrets.token_hex(32) + "\n").encode()))
        try:
            os.link(tmp, path)  # fails if another run made it first: theirs is kept
        except FileExistsError:
            pass
        except OSError:  # a filesystem without hard links
            with contextlib.suppress(FileExistsError):
                fd2 = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                with os.fdopen(fd2, "wb") as f:
                    f.write(Path(tmp).read_bytes())
    finally:
        os.unlink(tmp)


@dataclass(frozen=True)
class DeidExtraction:
    """An extraction with the patient replaced by a surrogate and every date shifted."""

    extraction: Extraction
    doc_id: str  # a surrogate for the document id (which is the scan's hash)
    ninety_or_older: bool  # 90 or older on the document's latest date
    birth_date_withheld: bool  # 90 or older, or of an age that cannot be told
    shift_days: int  # never written anywhere: it would undo the shift
    # Dates on or before this (ISO) are withheld in surrogate text: they tell an age over 89
    # (the birth date of a patient 90 or older, of unknown age, or any date 89+ years back).
    withhold_through: str | None = None


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
        while True:
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
            code = "".join(out)
            if code != value or not any(c.isalnum() for c in value):
                return code
            stream = hashlib.sha256(stream).digest()  # never the value itself: draw again

    def name(self, value: str) -> str:
        """A surrogate for a whole name, word by word ("O'Brien, Sean")."""
        return self._name_words("PERSON", value)

    def text_for(
        self, label: str, value: str, *, shift_days: int, withhold_through: str | None = None
    ) -> str:
        """A made-up value of the same kind for the PHI ``value`` of ``label``.

        A date on or before ``withhold_through`` (ISO), or one that is not a full date,
        is "[DATE]".
        """
        if label == "DATE":
            shifted = shift_date_text(
                value, shift_days, self._words, withhold_through=withhold_through
            )
            return shifted or "[DATE]"
        if label == "AGE":
            return "90+"
        if label == "EMAIL_ADDRESS":
            return f"user-{self._digest('email', value).hex()[:8]}@example.org"
        if label == "URL":
            return f"https://example.org/{self._digest('url', value).hex()[:8]}"
        if label in ("PERSON", "CITY", "FACILITY", "STREET_ADDRESS"):
            return self._name_words(label, value)
        if label == "UNVERIFIED" and not any(c.isdigit() for c in value):
            # A word the safety net removed: most often a name, so it reads as one.
            return self._name_words("PERSON", value)
        return self.code(label, value)

    def _name_words(self, label: str, value: str) -> str:
        out = []
        named = False
        pieces = _PIECES.findall(value)
        # The street suffix is the last word but for unit words ("Road" of "... Road Suite 4").
        last_word = max(
            (i for i, p in enumerate(pieces) if p[0].isalpha() and p.casefold() not in _UNITS),
            default=-1,
        )
        for i, piece in enumerate(pieces):
            low = piece.casefold()
            after = pieces[i + 1] if i + 1 < len(pieces) else ""
            before = pieces[i - 1] if i else ""
            if piece[0].isdigit():
                out.append(self.code(label, piece))
            elif not piece[0].isalpha():
                out.append(piece)
            elif (
                (
                    label == "PERSON"
                    and low in _TITLES
                    and ((i == 0 and after.startswith(".")) or "," in before)
                )
                or (
                    label == "STREET_ADDRESS"
                    and (low in _UNITS or (i == last_word and low in self._suffixes))
                )
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
    text: str,
    report: PhiReport,
    *,
    surrogates: Surrogates,
    shift_days: int,
    withhold_through: str | None = None,
) -> str:
    """``text`` with each PHI span replaced by a surrogate of its kind (deid.txt, surrogate mode).

    Line and page breaks inside a span are kept, as in ``deid/text.deidentify_text``: each
    piece between them is replaced on its own. Dates on or before ``withhold_through``
    (``DeidExtraction.withhold_through``) are "[DATE]".
    """

    def replace(label: str, piece: str) -> str:
        if not piece.strip():
            return piece
        return surrogates.text_for(
            label, piece, shift_days=shift_days, withhold_through=withhold_through
        )

    return deidentify_text(text, report, replace=replace)


def patient_key(patient: Patient, doc_id: str) -> str:
    """What identifies the patient across documents: the MRN, else name and birth date."""
    if patient.mrn:
        return f"mrn:{patient.mrn}"
    if patient.family and patient.birth_date:
        return f"name:{patient.family}|{' '.join(patient.given)}|{patient.birth_date}"
    return f"doc:{doc_id}"


def deidentify_extraction(
    extraction: Extraction,
    *,
    doc_id: str,
    surrogates: Surrogates,
    phi: PhiReport,
) -> DeidExtraction:
    """The extraction as bundle.deid.json carries it: surrogate patient, dates shifted.

    Values, codes and units are kept. A medication, condition or allergy whose evidence
    touches a PHI span of ``phi`` loses its printed text: a coded one is named by its
    code's display, an uncoded one is left out. The age is told on the document's latest date (its
    own date or an observation's): a birth date is kept (shifted) only for a patient under
    90 then; with no date to tell by, it is withheld. A date that cannot be shifted is
    dropped.
    """
    p = extraction.patient
    days = surrogates.shift_days(patient_key(p, doc_id))
    dates = [o.effective for o in extraction.observations if o.effective]
    if extraction.document_date:
        dates.append(extraction.document_date)
    reference = max((d[:10] for d in dates), default=None)
    age = _age(p.birth_date, reference) if p.birth_date and reference else None
    old = age is not None and age >= OLDEST_AGE
    withheld = bool(p.birth_date) and (age is None or old)
    birth = None if withheld or not p.birth_date else shift_iso(p.birth_date, days)
    withhold_through = _years_before(reference, OLDEST_AGE) if reference else None
    if withheld and p.birth_date:
        withhold_through = max(withhold_through or "", p.birth_date[:10])
    patient = Patient(
        mrn=surrogates.code("MRN", p.mrn) if p.mrn else None,
        family=surrogates.name(p.family) if p.family else None,
        given=tuple(surrogates.name(g) for g in p.given),
        birth_date=birth,
        gender=p.gender,
    )
    observations = tuple(
        o.model_copy(update={"effective": shift_iso(o.effective, days)}) if o.effective else o
        for o in extraction.observations
    )
    spans = phi.spans
    medications = tuple(
        m.model_copy(update={"date": shift_iso(m.date, days) if m.date else None})
        for m in _scrubbed(extraction.medications, spans)
    )
    document_date = extraction.document_date
    shifted = extraction.model_copy(
        update={
            "patient": patient,
            "document_date": shift_iso(document_date, days) if document_date else None,
            "observations": observations,
            "medications": medications,
            "conditions": _scrubbed(extraction.conditions, spans),
            "allergies": _scrubbed(extraction.allergies, spans),
        }
    )
    return DeidExtraction(
        extraction=shifted,
        doc_id=surrogates.doc_id(doc_id),
        ninety_or_older=old,
        birth_date_withheld=withheld,
        shift_days=days,
        withhold_through=withhold_through,
    )


def _scrubbed(items: tuple[Listed, ...], spans: tuple[Span, ...]) -> tuple[Listed, ...]:
    """``items`` without printed text where their evidence shares characters with PHI.

    Such an item keeps only what our code tables say: the code's display stands for the
    printed name, a coded reaction's display for the printed reaction; an item without a
    listed display is left out. DATE spans do not count: the item's dates are shifted, and
    its names are no dates. (The sig of a medication is made of matched numbers, units,
    routes and frequencies only.)
    """
    kept = []
    for item in items:
        touched = any(
            s.label != "DATE" and s.start < item.end and item.start < s.end for s in spans
        )
        if not touched:
            kept.append(item)
            continue
        if item.code is None or item.code.display is None:
            continue
        update: dict[str, object] = {"text": item.code.display}
        if isinstance(item, Allergy):
            code = item.reaction_code
            update["reaction"] = code.display if code is not None else None
        kept.append(item.model_copy(update=update))
    return tuple(kept)


def shift_iso(value: str, days: int) -> str | None:
    """An ISO date or dateTime moved back ``days`` days; the time of day is kept.

    A year alone or a year and month cannot be shifted by days: it is cut to the year of
    the shifted first day, which is still no more precise than the original. None for a
    value that is no date (or would shift out of the calendar).
    """
    try:
        if len(value) >= 10:
            day = dt.date.fromisoformat(value[:10]) - dt.timedelta(days=days)
            return day.isoformat() + value[10:]
        year = int(value[:4])
        first = dt.date(year, int(value[5:7]) if len(value) >= 7 else 1, 1)
        return str((first - dt.timedelta(days=days)).year)
    except (ValueError, OverflowError):
        return None


def shift_date_text(
    value: str, days: int, words: WordLists, *, withhold_through: str | None = None
) -> str | None:
    """A date as printed, shifted and printed in the same style; None if it is not a full date.

    "03/14/2023" keeps slashes, "2023-03-14" stays ISO, "Mar 14, 2023" keeps a month name.
    None too for a date on or before ``withhold_through`` (ISO): it would tell an age.
    """
    key = date_key(value, words)
    if key is None:
        return None
    if withhold_through is not None and f"{key[:4]}-{key[4:6]}-{key[6:]}" <= withhold_through:
        return None
    try:
        day = dt.date(int(key[:4]), int(key[4:6]), int(key[6:])) - dt.timedelta(days=days)
    except (ValueError, OverflowError):
        return None
    if re.search(r"[A-Za-z]{3}", value):  # a month name ("O3" is a misread digit)
        return day.strftime("%b %d, %Y")
    if re.match(r"\s*\d{4}", value):
        return day.isoformat()
    sep = "-" if "-" in value else "." if "." in value else "/"
    return f"{day.month:02d}{sep}{day.day:02d}{sep}{day.year}"


def _years_before(iso: str, years: int) -> str | None:
    try:
        day = dt.date.fromisoformat(iso[:10])
    except ValueError:
        return None
    try:
        return day.replace(year=day.year - years).isoformat()
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28).isoformat()


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
