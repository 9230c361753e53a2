"""The extract model files: manifest, checksums, and consistency between the files."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from pipeline.extract.data import (
    AllergiesData,
    AnalyteSpec,
    ConditionsData,
    DatesData,
    KindsData,
    LabsData,
    MedicationsData,
    ModelDataError,
    OcrData,
    PatientData,
    SectionsData,
    UnitsData,
    VitalsData,
    load,
    read_manifest,
)
from pipeline.extract.text import normalise_label, unit_key
from pipeline.settings import MODELS_DIR

EXTRACT = MODELS_DIR / "extract"
MODELS = {
    "vitals.json": VitalsData,
    "labs.json": LabsData,
    "units.json": UnitsData,
    "dates.json": DatesData,
    "patient.json": PatientData,
    "kinds.json": KindsData,
    "ocr.json": OcrData,
    "sections.json": SectionsData,
    "medications.json": MedicationsData,
    "conditions.json": ConditionsData,
    "allergies.json": AllergiesData,
}


def test_manifest_lists_every_file_with_its_checksum() -> None:
    manifest = read_manifest(EXTRACT)
    on_disk = {p.name for p in EXTRACT.glob("*.json")} - {"MANIFEST.json"}
    assert {f.path for f in manifest.files} == on_disk == set(MODELS)
    for entry in manifest.files:
        digest = hashlib.sha256((EXTRACT / entry.path).read_bytes()).hexdigest()
        # A data change must come with a manifest update (and a version bump).
        assert digest == entry.sha256, f"{entry.path}: manifest sha256 should be {digest}"
    assert {"LOINC", "UCUM"} <= set(manifest.sources)


@pytest.mark.parametrize(("name", "model"), MODELS.items())
def test_every_file_loads(name: str, model: type) -> None:
    assert isinstance(load(EXTRACT, name, model), model)


def test_an_unlisted_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "MANIFEST.json").write_text(
        json.dumps({"name": "x", "version": "0", "sources": {}, "files": []})
    )
    (tmp_path / "units.json").write_text(json.dumps({"version": "0", "units": {}}))
    with pytest.raises(ModelDataError):
        load(tmp_path, "units.json", UnitsData)


def test_a_malformed_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "MANIFEST.json").write_text(
        json.dumps(
            {
                "name": "x",
                "version": "0",
                "sources": {},
                "files": [{"path": "units.json", "sha256": ""}],
            }
        )
    )
    # A misspelt key is an error, not an ignored option.
    (tmp_path / "units.json").write_text(json.dumps({"version": "0", "unitz": {}}))
    with pytest.raises(ModelDataError):
        load(tmp_path, "units.json", UnitsData)


def analytes() -> list[tuple[str, AnalyteSpec]]:
    vitals = load(EXTRACT, "vitals.json", VitalsData).analytes
    labs = load(EXTRACT, "labs.json", LabsData).analytes
    return [("vital", a) for a in vitals] + [("lab", a) for a in labs]


def test_codes_and_keys_are_unique() -> None:
    specs = [a for _kind, a in analytes()]
    assert len({a.code for a in specs}) == len(specs)
    assert len({a.key for a in specs}) == len(specs)


def test_no_label_names_two_analytes() -> None:
    for kind in ("vital", "lab"):
        seen: dict[tuple[str, bool], str] = {}
        for _kind, a in (x for x in analytes() if x[0] == kind):
            labels = [(normalise_label(x), False) for x in a.labels]
            labels += [(x, True) for x in a.exact_labels]
            for label in labels:
                assert seen.setdefault(label, a.key) == a.key, label


def test_every_unit_an_analyte_allows_can_be_printed() -> None:
    ucum_codes = set(load(EXTRACT, "units.json", UnitsData).units.values())
    for _kind, a in analytes():
        for unit in a.units:
            assert unit in ucum_codes, (a.key, unit)


def test_printed_units_do_not_collide() -> None:
    # Two printed forms with one lookup key must name the same UCUM code.
    by_key: dict[str, str] = {}
    for printed, ucum in load(EXTRACT, "units.json", UnitsData).units.items():
        assert by_key.setdefault(unit_key(printed), ucum) == ucum, printed


def test_brief_code_map() -> None:
    # The codes and units the FHIR mapping relies on.
    table = {a.key: (a.code, next(iter(a.units))) for _k, a in analytes()}
    assert table["bp"] == ("85354-9", "mm[Hg]")
    assert table["hr"] == ("8867-4", "/min")
    assert table["rr"] == ("9279-1", "/min")
    assert table["temp"] == ("8310-5", "[degF]")
    assert table["spo2"] == ("2708-6", "%")
    assert table["weight"] == ("29463-7", "[lb_av]")
    assert table["height"] == ("8302-2", "[in_i]")
    assert table["bmi"] == ("39156-5", "kg/m2")
    assert table["glucose"] == ("2345-7", "mg/dL")
    assert table["wbc"] == ("6690-2", "10*3/uL")
    assert table["tsh"] == ("3016-3", "u[IU]/mL")
    assert table["hba1c"] == ("4548-4", "%")


def test_codes_of_the_list_readers_are_well_formed() -> None:
    meds = load(EXTRACT, "medications.json", MedicationsData)
    conditions = load(EXTRACT, "conditions.json", ConditionsData)
    allergies = load(EXTRACT, "allergies.json", AllergiesData)
    assert all(d.rxnorm.isdigit() for d in meds.drugs)
    # One entry per drug, and no name (or synonym) shared by two drugs.
    names = [normalise_label(n) for d in meds.drugs for n in (d.name, *d.synonyms)]
    assert len(names) == len(set(names))
    snomed = [r.code for r in meds.routes.values()] + [*allergies.reactions, *allergies.no_known]
    snomed += [s.code for s in allergies.substances if s.system == "snomed" and s.code]
    assert all(c.isdigit() and 6 <= len(c) <= 18 for c in snomed)
    assert all(
        re.fullmatch(r"[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?", c) for c in conditions.codes
    )
    # Every problem the sample generator prints with a code is listed under that code.
    from samples.clinical import ACUTE, PROBLEMS

    assert {p.icd for p in (*PROBLEMS, *ACUTE)} <= set(conditions.codes)
    from samples.clinical import MEDS

    listed = {normalise_label(n) for n in names}
    assert {normalise_label(m[0]) for m in MEDS.values()} <= listed
