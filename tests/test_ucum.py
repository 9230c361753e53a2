"""UCUM codes through the library (pipeline/ucum.py): every code our data uses, conversions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import ucum
from pipeline.extract.data import LabsData, ModelDataError, UnitsData, VitalsData, load
from pipeline.settings import MODELS_DIR
from samples.clinical import UCUM_UNITS

EXTRACT = MODELS_DIR / "extract"


def data_codes() -> dict[str, set[str]]:
    """Every UCUM code the extract data and the sample generator use, by where it is."""
    units = json.loads((EXTRACT / "units.json").read_text(encoding="utf-8"))["units"]
    found = {"units.json": set(units.values()), "samples/clinical.py": set(UCUM_UNITS)}
    for name in ("labs.json", "vitals.json"):
        analytes = json.loads((EXTRACT / name).read_text(encoding="utf-8"))["analytes"]
        found[name] = {code for a in analytes for code in a["units"]}
    return found


@pytest.mark.parametrize(("where", "codes"), data_codes().items())
def test_every_code_our_data_uses_is_ucum(where: str, codes: set[str]) -> None:
    assert codes, where
    assert sorted(c for c in codes if not ucum.is_valid(c)) == [], where


VALIDITY = [
    ("mm[Hg]", True),  # a bracketed atom
    ("10*3/uL", True),  # a power of ten and a prefixed litre
    ("u[IU]/mL", True),  # a prefixed arbitrary unit
    ("{INR}", True),  # an annotation alone is the unity
    ("kg/m2", True),  # an exponent
    ("Cel", True),
    ("meq/L", True),
    ("mmHg", False),  # the printed form, not the code
    ("deg F", False),
    ("lb", False),  # pounds are [lb_av]
    ("mEq/L", False),  # case matters: "E" is exa
    ("", False),
]


@pytest.mark.parametrize(("code", "valid"), VALIDITY)
def test_validity(code: str, valid: bool) -> None:
    assert ucum.is_valid(code) is valid


CONVERSIONS = [
    (37.0, "Cel", "[degF]", 98.6),  # an offset unit
    (98.6, "[degF]", "Cel", 37.0),
    (80.0, "kg", "[lb_av]", 176.3698),
    (182.0, "[lb_av]", "kg", 82.5538),
    (180.0, "cm", "[in_i]", 70.8661),
    (70.0, "[in_i]", "cm", 177.8),
    (5.0, "[ft_i]", "[in_i]", 60.0),
    (7.2, "10*3/uL", "10*9/L", 7.2),  # the same count per volume
    (2.1, "u[IU]/mL", "m[IU]/L", 2.1),
    (1.0, "g/dL", "mg/dL", 1000.0),
]


@pytest.mark.parametrize(("value", "source", "target", "expected"), CONVERSIONS)
def test_conversions(value: float, source: str, target: str, expected: float) -> None:
    assert ucum.convert(value, source, target) == pytest.approx(expected, abs=1e-4)


def test_equivalents_and_moles_need_the_charge() -> None:
    # UCUM counts an equivalent as a mole; that is right only for a monovalent ion.
    assert ucum.charge_dependent("meq/L", "mmol/L") and ucum.charge_dependent("mmol/L", "meq/L")
    assert not ucum.charge_dependent("meq/L", "meq/L")
    with pytest.raises(ucum.UcumError):
        ucum.convert(140.0, "meq/L", "mmol/L")
    assert ucum.convert(140.0, "meq/L", "mmol/L", charge=1) == pytest.approx(140.0)
    assert ucum.convert(5.0, "meq/L", "mmol/L", charge=2) == pytest.approx(2.5)  # Ca2+
    assert ucum.convert(2.5, "mmol/L", "meq/L", charge=-2) == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("mg/dL", "mmol/L"),  # mass and substance: needs a molar mass
        ("Cel", "kg"),
        ("%", "mg/dL"),
        ("mmHg", "mm[Hg]"),  # not a code
    ],
)
def test_what_cannot_be_converted_is_refused(source: str, target: str) -> None:
    assert not ucum.commensurable(source, target)
    with pytest.raises(ucum.UcumError):
        ucum.convert(1.0, source, target)


def test_the_units_of_one_analyte_measure_the_same_thing() -> None:
    # An analyte's alternative units convert into each other (sodium's through its charge).
    vitals = load(EXTRACT, "vitals.json", VitalsData).analytes
    labs = load(EXTRACT, "labs.json", LabsData).analytes
    for spec in (*vitals, *labs):
        first = spec.default_unit
        for other in spec.units:
            assert ucum.convert(1.0, other, first, charge=spec.charge) > 0, (spec.key, other)


def _copy(tmp_path: Path) -> Path:
    models = tmp_path / "extract"
    shutil.copytree(EXTRACT, models)
    return models


def test_a_data_file_with_a_code_that_is_not_ucum_is_refused(tmp_path: Path) -> None:
    models = _copy(tmp_path)
    path = models / "units.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(load(models, "units.json", UnitsData), UnitsData)
    data["units"]["mmHg"] = "mmHg"  # the printed form where the code belongs
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelDataError):
        load(models, "units.json", UnitsData)


def test_a_lab_unit_that_is_not_ucum_is_refused(tmp_path: Path) -> None:
    models = _copy(tmp_path)
    path = models / "labs.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    glucose = next(a for a in data["analytes"] if a["key"] == "glucose")
    glucose["units"] = {"mg/dl ": glucose["units"]["mg/dL"]}  # a trailing space
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelDataError):
        load(models, "labs.json", LabsData)


def test_an_analyte_in_meq_and_mmol_without_its_charge_is_refused(tmp_path: Path) -> None:
    models = _copy(tmp_path)
    path = models / "labs.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del next(a for a in data["analytes"] if a["key"] == "sodium")["charge"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelDataError):
        load(models, "labs.json", LabsData)


def test_the_library_loads_without_the_network() -> None:
    # A fresh process with every socket refused still validates and converts.
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from pipeline import ucum\n"
        "assert ucum.is_valid('10*3/uL')\n"
        "print(round(ucum.convert(37.0, 'Cel', '[degF]'), 6))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "98.6"
