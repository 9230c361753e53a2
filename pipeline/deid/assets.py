"""The data files the PHI recognizers read: field labels and word lists (models/deid/).

Everything a recognizer matches on that is a list of words lives in these files, not in code,
so that widening a label list is a data change. ``models/deid/MANIFEST.json`` names each file,
its source and its hash.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from pipeline.deid.net import SafeWords
from pipeline.deid.pairing import label_table

ASSETS_SUBDIR = "deid"
EXTRACT_SUBDIR = "extract"
# The extraction vocabularies whose terms are clinical words (labels, drug names, ...).
_EXTRACT_VOCABULARIES = ("labs", "medications", "conditions", "allergies", "units", "vitals")
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class WordLists:
    """Lower-case word sets used to tell names from ordinary and clinical words."""

    english: frozenset[str]  # common English words and stop words
    clinical: frozenset[str]  # clinical vocabulary: analytes, drugs, headings, units
    first_names: frozenset[str]
    last_names: frozenset[str]
    field_words: frozenset[str]  # words that end a name in a form ("MRN", "DOB", ...)

    def is_name(self, word: str) -> bool:
        """True when ``word`` is a known first or last name."""
        w = word.lower()
        return w in self.first_names or w in self.last_names

    def is_common(self, word: str) -> bool:
        """True when ``word`` is an ordinary English, clinical or form word."""
        w = word.lower()
        return w in self.english or w in self.clinical or w in self.field_words

    def is_clinical(self, word: str) -> bool:
        """True when ``word`` is in the clinical vocabulary or is a form word."""
        w = word.lower()
        return w in self.clinical or w in self.field_words


@dataclass(frozen=True)
class DeidAssets:
    """The parsed contents of models/deid/."""

    labels: dict[str, Any]  # labels.json
    words: WordLists
    street_suffixes: frozenset[str]  # USPS street suffix names, lower case
    version: str
    safe_words: SafeWords  # what the safety net (deid/net.py) accepts
    grid_labels: dict[tuple[str, ...], str]  # header-row labels by PHI type (deid/pairing.py)
    # Words any facility's name may hold ("Home", "Health", "of", clinical terms): a facility's
    # leading words are carried only when one of them is more (detect.propagate_facility_names).
    facility_words: frozenset[str]
    person_verbs: frozenset[str]  # what people do in a note: "called", "prefers" (detect.py)

    def label_list(self, key: str) -> list[str]:
        """One list of labels from labels.json, e.g. ``"mrn_labels"``."""
        value = self.labels[key]
        if not isinstance(value, list):
            raise TypeError(f"labels.json: {key} is not a list")
        return [str(v) for v in value]


def _read_words(path: Path) -> frozenset[str]:
    """The words of a word list: whitespace-separated, "#" starts a comment line."""
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.update(w.lower() for w in line.split())
    return frozenset(words)


def _extract_terms(models_dir: Path) -> frozenset[str]:
    """The letter words of every string in the extraction vocabularies (models/extract/)."""
    words: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            words.update(w.lower() for w in _WORD.findall(value))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for name in _EXTRACT_VOCABULARIES:
        path = models_dir / EXTRACT_SUBDIR / f"{name}.json"
        if path.exists():
            walk(json.loads(path.read_text(encoding="utf-8")))
    return frozenset(words)


def load_assets(models_dir: Path) -> DeidAssets:
    """Read models/deid/ (``models_dir`` is the models/ folder, as in ``DeidSettings``)."""
    root = models_dir / ASSETS_SUBDIR
    manifest = json.loads((root / "MANIFEST.json").read_text(encoding="utf-8"))
    labels = json.loads((root / "labels.json").read_text(encoding="utf-8"))
    words = WordLists(
        english=_read_words(root / "english_words.txt") | _read_words(root / "english_extra.txt"),
        clinical=_read_words(root / "clinical_words.txt"),
        first_names=_read_words(root / "names_first.txt"),
        last_names=_read_words(root / "names_last.txt"),
        field_words=frozenset(w.lower() for w in labels["field_words"]),
    )
    relations = frozenset(r.lower() for r in labels["relation_words"]) | frozenset(
        r.lower() for r in labels["relation_abbreviations"]
    )
    curated = (
        _read_words(root / "clinical_abbreviations.txt")
        | _extract_terms(models_dir)
        | words.clinical
        | words.field_words
        | relations
        | {c.lower() for c in labels["credentials"] if c.isalpha()}
    )
    safe = SafeWords(
        dictionary=_read_words(root / "dictionary_words.txt") | words.english,
        clinical=_read_words(root / "clinical_vocab.txt") | curated,
        curated=curated,
        names=words.first_names | words.last_names,
        census=_read_words(root / "names_census.txt")
        - _read_words(root / "dictionary_words.txt")
        - words.english
        - curated,
        proper=frozenset(
            w for w in _read_words(root / "proper_nouns.txt") if len(w) >= 3 and w not in curated
        ),
        titles=frozenset(t.lower() for t in labels["person_titles"]),
        relations=relations,
        credentials=frozenset(c.lower() for c in labels["credentials"]),
        person_fields=frozenset(
            p.lower() for p in labels["person_labels"] + labels["role_words"] if " " not in p
        ),
        stop=frozenset(STOP_WORDS),
    )
    grid = label_table(
        {
            "PERSON": labels["grid_name_labels"]
            + labels["patient_name_labels"]
            + labels["line_start_name_labels"]
            + labels["person_labels"],
            "MRN": labels["mrn_labels"],
            "ID": labels["id_labels"],
            "US_SSN": labels["ssn_labels"],
            "DATE": labels["date_labels"],
            "AGE": labels["age_labels"],
            "PHONE_NUMBER": labels["phone_labels"],
            "STREET_ADDRESS": labels["street_labels"],
            "CITY": labels["city_labels"],
            "ZIP_CODE": labels["zip_labels"],
        }
    )
    facility_labels = (
        labels["facility_suffixes"] + labels["facility_tails"] + labels["facility_units"]
    )
    facility_words = {w.lower() for label in facility_labels for w in _WORD.findall(label)}
    return DeidAssets(
        labels=labels,
        words=words,
        street_suffixes=_read_words(root / "street_suffixes.txt"),
        version=str(manifest["version"]),
        safe_words=safe,
        grid_labels=grid,
        facility_words=frozenset(facility_words | {"of", "the", "and", "st"} | curated),
        person_verbs=frozenset(w.lower() for w in labels["person_verbs"]),
    )
