"""Plausible clinical content and the truth observations for every value printed."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

VITALS = "vital-signs"
LAB = "laboratory"

# LOINC code -> display (LOINC long common name).
LOINC = {
    "85354-9": "Blood pressure panel with all children optional",
    "8480-6": "Systolic blood pressure",
    "8462-4": "Diastolic blood pressure",
    "8867-4": "Heart rate",
    "9279-1": "Respiratory rate",
    "8310-5": "Body temperature",
    "2708-6": "Oxygen saturation in Arterial blood",
    "29463-7": "Body weight",
    "8302-2": "Body height",
    "39156-5": "Body mass index (BMI) [Ratio]",
    "2345-7": "Glucose [Mass/volume] in Serum or Plasma",
    "3094-0": "Urea nitrogen [Mass/volume] in Serum or Plasma",
    "2160-0": "Creatinine [Mass/volume] in Serum or Plasma",
    "2951-2": "Sodium [Moles/volume] in Serum or Plasma",
    "2823-3": "Potassium [Moles/volume] in Serum or Plasma",
    "2075-0": "Chloride [Moles/volume] in Serum or Plasma",
    "2028-9": "Carbon dioxide, total [Moles/volume] in Serum or Plasma",
    "17861-6": "Calcium [Mass/volume] in Serum or Plasma",
    "1751-7": "Albumin [Mass/volume] in Serum or Plasma",
    "1742-6": "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
    "1920-8": "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
    "718-7": "Hemoglobin [Mass/volume] in Blood",
    "4544-3": "Hematocrit [Volume Fraction] of Blood by Automated count",
    "6690-2": "Leukocytes [#/volume] in Blood by Automated count",
    "777-3": "Platelets [#/volume] in Blood by Automated count",
    "2093-3": "Cholesterol [Mass/volume] in Serum or Plasma",
    "13457-7": "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation",
    "2085-9": "Cholesterol in HDL [Mass/volume] in Serum or Plasma",
    "2571-8": "Triglyceride [Mass/volume] in Serum or Plasma",
    "4548-4": "Hemoglobin A1c/Hemoglobin.total in Blood",
    "3016-3": "Thyrotropin [Units/volume] in Serum or Plasma",
}

UCUM_UNITS = frozenset(
    {
        "mm[Hg]",
        "/min",
        "[degF]",
        "Cel",
        "%",
        "[lb_av]",
        "kg",
        "[in_i]",
        "cm",
        "kg/m2",
        "mg/dL",
        "mmol/L",
        "g/dL",
        "U/L",
        "10*3/uL",
        "u[IU]/mL",
    }
)


def observation(
    code: str,
    value: float | None,
    unit: str,
    date: dt.date,
    category: str,
    components: list[dict] | None = None,
) -> dict:
    """One truth observation (the JSON shape in samples/README.md)."""
    assert code in LOINC and unit in UCUM_UNITS, (code, unit)
    return {
        "code": code,
        "display": LOINC[code],
        "category": category,
        "value": value,
        "unit": unit,
        "date": date.isoformat(),
        "components": components or [],
    }


def num(value: float, decimals: int) -> str:
    """A value printed with ``decimals`` places."""
    return f"{value:.{decimals}f}"


# ------------------------------------------------------------------------ vitals
@dataclass(frozen=True)
class Vitals:
    """One set of vital signs, in the units the chart prints."""

    sys: int
    dia: int
    hr: int
    rr: int
    temp: float
    temp_unit: str  # F | C
    spo2: int
    weight: float
    weight_unit: str  # lb | kg
    height_in: int
    height_style: str  # ftin | in | cm
    bmi: float

    @property
    def height_value(self) -> tuple[float, str, str]:
        """(value, UCUM unit, printed) for the height; feet+inches is recorded in inches."""
        if self.height_style == "cm":
            cm = round(self.height_in * 2.54)
            return float(cm), "cm", f"{cm} cm"
        if self.height_style == "in":
            return float(self.height_in), "[in_i]", f"{self.height_in} in"
        return float(self.height_in), "[in_i]", f"{self.height_in // 12}'{self.height_in % 12}\""

    def temp_text(self) -> str:
        """'98.6 F' or '37.0 C'."""
        return f"{self.temp:.1f} {self.temp_unit}"

    def weight_text(self) -> str:
        """'182 lb' or '82.6 kg'."""
        if self.weight_unit == "kg":
            return f"{self.weight:.1f} kg"
        return f"{self.weight:.0f} lb"


def make_vitals(
    rng: random.Random,
    *,
    metric_temp: bool = False,
    metric_weight: bool = False,
    height_style: str = "ftin",
    base: Vitals | None = None,
) -> Vitals:
    """Random vitals; with ``base``, a nearby reading of the same patient."""
    if base is None:
        sys = rng.randint(102, 168)
        height_in = rng.randint(60, 76)
        lb = rng.randint(112, 265)
    else:
        sys = max(92, min(185, base.sys + rng.randint(-14, 14)))
        height_in = base.height_in
        lb = base.weight if base.weight_unit == "lb" else base.weight / 0.45359237
        lb = round(lb + rng.uniform(-2, 2))
    dia = rng.randint(58, min(98, sys - 30))
    hr = rng.randint(56, 108)
    rr = rng.randint(12, 22)
    temp_f = round(rng.uniform(97.0, 100.6), 1)
    temp = round((temp_f - 32) * 5 / 9, 1) if metric_temp else temp_f
    weight = round(lb * 0.45359237, 1) if metric_weight else float(lb)
    bmi = round(703 * lb / height_in**2, 1)
    return Vitals(
        sys=sys,
        dia=dia,
        hr=hr,
        rr=rr,
        temp=temp,
        temp_unit="C" if metric_temp else "F",
        spo2=rng.randint(91, 100),
        weight=weight,
        weight_unit="kg" if metric_weight else "lb",
        height_in=height_in,
        height_style=height_style,
        bmi=bmi,
    )


def bp_obs(v: Vitals, date: dt.date) -> dict:
    """The blood pressure panel with systolic and diastolic components."""
    return observation(
        "85354-9",
        None,
        "mm[Hg]",
        date,
        VITALS,
        [
            {"code": "8480-6", "value": float(v.sys), "unit": "mm[Hg]"},
            {"code": "8462-4", "value": float(v.dia), "unit": "mm[Hg]"},
        ],
    )


def vital_obs(v: Vitals, date: dt.date, which: str) -> dict:
    """The observation for one vital sign: bp, hr, rr, temp, spo2, weight, height, bmi."""
    if which == "bp":
        return bp_obs(v, date)
    if which == "hr":
        return observation("8867-4", float(v.hr), "/min", date, VITALS)
    if which == "rr":
        return observation("9279-1", float(v.rr), "/min", date, VITALS)
    if which == "temp":
        unit = "Cel" if v.temp_unit == "C" else "[degF]"
        return observation("8310-5", v.temp, unit, date, VITALS)
    if which == "spo2":
        return observation("2708-6", float(v.spo2), "%", date, VITALS)
    if which == "weight":
        return observation(
            "29463-7", v.weight, "kg" if v.weight_unit == "kg" else "[lb_av]", date, VITALS
        )
    if which == "height":
        value, unit, _ = v.height_value
        return observation("8302-2", value, unit, date, VITALS)
    if which == "bmi":
        return observation("39156-5", v.bmi, "kg/m2", date, VITALS)
    raise ValueError(which)


# -------------------------------------------------------------------------- labs
@dataclass(frozen=True)
class LabDef:
    """A lab test: names it is printed under, units, reference range, value model."""

    code: str
    names: tuple[str, ...]
    units: tuple[str, ...]  # printed forms
    ucum: str
    low: float | None
    high: float | None
    decimals: int
    spread: tuple[float, float]  # plausible min/max for random values
    low_f: float | None = None  # female range when it differs
    high_f: float | None = None


LABS = {
    "glucose": LabDef(
        "2345-7", ("Glucose", "Glucose, Serum"), ("mg/dL",), "mg/dL", 70, 99, 0, (62, 260)
    ),
    "bun": LabDef("3094-0", ("BUN", "Urea Nitrogen (BUN)"), ("mg/dL",), "mg/dL", 7, 20, 0, (5, 48)),
    "creatinine": LabDef("2160-0", ("Creatinine",), ("mg/dL",), "mg/dL", 0.6, 1.3, 2, (0.5, 2.6)),
    "sodium": LabDef("2951-2", ("Sodium",), ("mmol/L",), "mmol/L", 136, 145, 0, (128, 149)),
    "potassium": LabDef("2823-3", ("Potassium",), ("mmol/L",), "mmol/L", 3.5, 5.1, 1, (3.0, 5.9)),
    "chloride": LabDef("2075-0", ("Chloride",), ("mmol/L",), "mmol/L", 98, 107, 0, (94, 111)),
    "co2": LabDef(
        "2028-9", ("CO2", "Carbon Dioxide, Total"), ("mmol/L",), "mmol/L", 22, 29, 0, (18, 32)
    ),
    "calcium": LabDef("17861-6", ("Calcium",), ("mg/dL",), "mg/dL", 8.5, 10.2, 1, (8.0, 10.8)),
    "albumin": LabDef("1751-7", ("Albumin",), ("g/dL",), "g/dL", 3.5, 5.0, 1, (2.8, 5.2)),
    "alt": LabDef("1742-6", ("ALT", "ALT (SGPT)"), ("U/L",), "U/L", 7, 56, 0, (8, 95)),
    "ast": LabDef("1920-8", ("AST", "AST (SGOT)"), ("U/L",), "U/L", 10, 40, 0, (10, 80)),
    "hgb": LabDef(
        "718-7", ("Hemoglobin", "Hgb"), ("g/dL",), "g/dL", 13.5, 17.5, 1, (9.0, 17.0), 12.0, 15.5
    ),
    "hct": LabDef(
        "4544-3", ("Hematocrit", "Hct"), ("%",), "%", 41.0, 53.0, 1, (28.0, 51.0), 36.0, 46.0
    ),
    "wbc": LabDef(
        "6690-2",
        ("WBC", "White Blood Cell Count"),
        ("K/uL", "10*3/uL", "x10E3/uL"),
        "10*3/uL",
        4.5,
        11.0,
        1,
        (3.1, 16.5),
    ),
    "plt": LabDef(
        "777-3",
        ("Platelets", "Platelet Count"),
        ("K/uL", "10*3/uL", "x10E3/uL"),
        "10*3/uL",
        150,
        400,
        0,
        (110, 460),
    ),
    "chol": LabDef(
        "2093-3",
        ("Cholesterol, Total", "Total Cholesterol"),
        ("mg/dL",),
        "mg/dL",
        None,
        200,
        0,
        (130, 290),
    ),
    "ldl": LabDef(
        "13457-7", ("LDL Cholesterol (calc)", "LDL-C"), ("mg/dL",), "mg/dL", None, 100, 0, (55, 190)
    ),
    "hdl": LabDef(
        "2085-9", ("HDL Cholesterol", "HDL-C"), ("mg/dL",), "mg/dL", 40, None, 0, (28, 88)
    ),
    "trig": LabDef("2571-8", ("Triglycerides",), ("mg/dL",), "mg/dL", None, 150, 0, (60, 420)),
    "a1c": LabDef("4548-4", ("Hemoglobin A1c", "HbA1c"), ("%",), "%", 4.0, 5.6, 1, (4.8, 10.5)),
    "tsh": LabDef(
        "3016-3",
        ("TSH", "Thyroid Stimulating Hormone"),
        ("uIU/mL",),
        "u[IU]/mL",
        0.45,
        4.5,
        2,
        (0.2, 8.5),
    ),
}

PANELS = {
    "COMPREHENSIVE METABOLIC PANEL": (
        "glucose", "bun", "creatinine", "sodium", "potassium", "chloride", "co2", "calcium",
        "albumin", "alt", "ast",
    ),
    "BASIC METABOLIC PANEL": (
        "glucose", "bun", "creatinine", "sodium", "potassium", "chloride", "co2", "calcium",
    ),
    "CBC": ("wbc", "hgb", "hct", "plt"),
    "LIPID PANEL": ("chol", "trig", "hdl", "ldl"),
    "HEMOGLOBIN A1C": ("a1c",),
    "THYROID": ("tsh",),
}  # fmt: skip


@dataclass(frozen=True)
class LabResult:
    """One printed lab result."""

    key: str
    name: str
    value: float
    text: str
    unit: str  # printed
    range_text: str
    flag: str  # "", "H", "L"
    low: float | None = None  # the range's bounds as printed in range_text
    high: float | None = None

    @property
    def lab(self) -> LabDef:
        """Its definition."""
        return LABS[self.key]


def lab_range(lab: LabDef, gender: str) -> tuple[float | None, float | None]:
    """The reference interval for the patient's sex."""
    if gender == "female" and lab.low_f is not None:
        return lab.low_f, lab.high_f
    return lab.low, lab.high


def make_lab(rng: random.Random, key: str, gender: str, unit_style: int = 0) -> LabResult:
    """A value: usually inside the range, sometimes out of it; flagged H/L accordingly."""
    lab = LABS[key]
    low, high = lab_range(lab, gender)
    if rng.random() < 0.7 and low is not None and high is not None:
        value = rng.uniform(low, high)
    elif rng.random() < 0.7 and (low is None) != (high is None):
        value = rng.uniform(lab.spread[0], high) if high else rng.uniform(low, lab.spread[1])
    else:
        value = rng.uniform(*lab.spread)
    value = round(value, lab.decimals)
    text = num(value, lab.decimals)
    value = float(text)
    flag = ""
    if high is not None and value > high or (low is None and high is not None and value >= high):
        flag = "H"
    elif low is not None and value < low:
        flag = "L"
    if low is not None and high is not None:
        rtext = f"{num(low, lab.decimals)}-{num(high, lab.decimals)}"
    elif high is not None:
        rtext = f"<{num(high, lab.decimals)}"
    else:
        rtext = f">{num(low, lab.decimals)}"  # type: ignore[arg-type]
    unit = lab.units[unit_style % len(lab.units)]
    printed = [None if b is None else float(num(b, lab.decimals)) for b in (low, high)]
    return LabResult(key, rng.choice(lab.names), value, text, unit, rtext, flag, *printed)


def lab_obs(r: LabResult, date: dt.date, *, with_range: bool = False) -> dict:
    """The truth observation for a printed result; ``with_range`` where its range and flag
    are printed beside it (a table row), recorded as printed: the bounds in the result's
    unit and the flag as its v3-ObservationInterpretation code ("H", "L"; None if blank).
    """
    obs = observation(r.lab.code, r.value, r.lab.ucum, date, LAB)
    if with_range:
        obs["reference_range"] = {"low": r.low, "high": r.high, "text": r.range_text}
        obs["interpretation"] = r.flag or None
    return obs


# ------------------------------------------------------------ problems and meds
@dataclass(frozen=True)
class Problem:
    """A diagnosis, its ICD-10 code and what a plan says about it."""

    icd: str
    name: str
    short: str  # in prose
    meds: tuple[str, ...]  # keys into MEDS
    plan: tuple[str, ...]


PROBLEMS = (
    Problem(
        "E11.9",
        "Type 2 diabetes mellitus without complications",
        "type 2 diabetes",
        ("metformin", "glargine"),
        (
            "Continue metformin; reinforce diet and exercise.",
            "Recheck HbA1c in 3 months.",
            "Annual diabetic eye exam and foot exam are due.",
        ),
    ),
    Problem(
        "I10",
        "Essential (primary) hypertension",
        "hypertension",
        ("lisinopril", "amlodipine", "hctz"),
        (
            "Blood pressure above goal; increase lisinopril dose.",
            "Continue current antihypertensives; home blood pressure log requested.",
        ),
    ),
    Problem(
        "E78.5",
        "Hyperlipidemia, unspecified",
        "hyperlipidemia",
        ("atorvastatin",),
        ("Continue atorvastatin.", "Repeat fasting lipid panel in 6 months."),
    ),
    Problem(
        "E03.9",
        "Hypothyroidism, unspecified",
        "hypothyroidism",
        ("levothyroxine",),
        ("Continue levothyroxine; recheck TSH in 6 weeks.",),
    ),
    Problem(
        "K21.9",
        "Gastro-esophageal reflux disease without esophagitis",
        "GERD",
        ("omeprazole",),
        ("Continue omeprazole; avoid late meals.",),
    ),
    Problem(
        "I50.9",
        "Heart failure, unspecified",
        "congestive heart failure",
        ("furosemide", "metoprolol"),
        (
            "Daily weights; call if weight increases more than 3 lb in a day.",
            "Continue furosemide and metoprolol; low sodium diet.",
        ),
    ),
    Problem(
        "J44.9",
        "Chronic obstructive pulmonary disease, unspecified",
        "COPD",
        ("albuterol", "tiotropium"),
        ("Continue inhalers; pulmonary rehab referral placed.",),
    ),
    Problem(
        "F32.9",
        "Major depressive disorder, single episode, unspecified",
        "depression",
        ("sertraline",),
        ("Continue sertraline; PHQ-9 improved since last visit.",),
    ),
    Problem(
        "I48.91",
        "Unspecified atrial fibrillation",
        "atrial fibrillation",
        ("apixaban", "metoprolol"),
        ("Rate controlled; continue apixaban for anticoagulation.",),
    ),
    Problem(
        "N18.30",
        "Chronic kidney disease, stage 3 unspecified",
        "chronic kidney disease",
        (),
        ("Avoid NSAIDs; renal function panel in 3 months.",),
    ),
    Problem(
        "M17.11",
        "Unilateral primary osteoarthritis, right knee",
        "right knee osteoarthritis",
        ("acetaminophen",),
        ("Acetaminophen as needed; physical therapy referral.",),
    ),
    Problem(
        "N40.0",
        "Benign prostatic hyperplasia without LUTS",
        "BPH",
        ("tamsulosin",),
        ("Continue tamsulosin.",),
    ),
    Problem(
        "G47.33",
        "Obstructive sleep apnea",
        "obstructive sleep apnea",
        (),
        ("Encouraged nightly CPAP use.",),
    ),
    Problem(
        "J45.909",
        "Unspecified asthma, uncomplicated",
        "asthma",
        ("albuterol", "montelukast"),
        ("Continue montelukast; albuterol as needed.",),
    ),
    Problem(
        "D64.9",
        "Anemia, unspecified",
        "anemia",
        (),
        ("Iron studies ordered; repeat CBC in 4 weeks.",),
    ),
    Problem(
        "E66.9", "Obesity, unspecified", "obesity", (), ("Discussed nutrition and activity goals.",)
    ),
)

ACUTE = (
    Problem(
        "J18.9",
        "Pneumonia, unspecified organism",
        "community-acquired pneumonia",
        (),
        ("Completed IV ceftriaxone and azithromycin; transitioned to oral antibiotics.",),
    ),
    Problem(
        "N39.0",
        "Urinary tract infection, site not specified",
        "urinary tract infection",
        (),
        ("Treated with IV antibiotics; urine culture pan-sensitive.",),
    ),
    Problem(
        "I50.23",
        "Acute on chronic systolic (congestive) heart failure",
        "acute on chronic systolic heart failure",
        ("furosemide",),
        ("Diuresed with IV furosemide with good response.",),
    ),
    Problem(
        "J44.1",
        "Chronic obstructive pulmonary disease with (acute) exacerbation",
        "COPD exacerbation",
        ("albuterol",),
        ("Treated with nebulizers and a prednisone taper.",),
    ),
    Problem(
        "N17.9",
        "Acute kidney failure, unspecified",
        "acute kidney injury",
        (),
        ("Creatinine improved with IV fluids; nephrotoxic medications held.",),
    ),
    Problem(
        "L03.115",
        "Cellulitis of right lower limb",
        "right leg cellulitis",
        (),
        ("Treated with IV cefazolin; erythema receding.",),
    ),
)

# key -> (name, strengths, route, frequencies, indication)
MEDS = {
    "metformin": (
        "Metformin",
        ("500 mg", "850 mg", "1000 mg"),
        "PO",
        ("BID", "daily with breakfast"),
        "Diabetes",
    ),
    "glargine": (
        "Insulin glargine",
        ("10 units", "18 units", "24 units"),
        "SC",
        ("nightly",),
        "Diabetes",
    ),
    "lisinopril": ("Lisinopril", ("10 mg", "20 mg", "40 mg"), "PO", ("daily",), "Hypertension"),
    "amlodipine": ("Amlodipine", ("5 mg", "10 mg"), "PO", ("daily",), "Hypertension"),
    "hctz": ("Hydrochlorothiazide", ("12.5 mg", "25 mg"), "PO", ("daily",), "Hypertension"),
    "atorvastatin": (
        "Atorvastatin",
        ("20 mg", "40 mg", "80 mg"),
        "PO",
        ("nightly", "daily"),
        "Hyperlipidemia",
    ),
    "levothyroxine": (
        "Levothyroxine",
        ("50 mcg", "75 mcg", "100 mcg"),
        "PO",
        ("daily before breakfast",),
        "Hypothyroidism",
    ),
    "omeprazole": ("Omeprazole", ("20 mg", "40 mg"), "PO", ("daily",), "GERD"),
    "furosemide": ("Furosemide", ("20 mg", "40 mg"), "PO", ("daily", "BID"), "Heart failure"),
    "metoprolol": (
        "Metoprolol succinate",
        ("25 mg", "50 mg"),
        "PO",
        ("daily",),
        "Heart rate control",
    ),
    "albuterol": ("Albuterol HFA", ("90 mcg 2 puffs",), "INH", ("q4h PRN wheeze",), "Bronchospasm"),
    "tiotropium": ("Tiotropium", ("18 mcg",), "INH", ("daily",), "COPD"),
    "sertraline": ("Sertraline", ("50 mg", "100 mg"), "PO", ("daily",), "Depression"),
    "apixaban": ("Apixaban", ("5 mg", "2.5 mg"), "PO", ("BID",), "Atrial fibrillation"),
    "acetaminophen": ("Acetaminophen", ("500 mg", "650 mg"), "PO", ("q6h PRN pain",), "Pain"),
    "tamsulosin": ("Tamsulosin", ("0.4 mg",), "PO", ("daily at bedtime",), "BPH"),
    "montelukast": ("Montelukast", ("10 mg",), "PO", ("nightly",), "Asthma"),
    "aspirin": ("Aspirin", ("81 mg",), "PO", ("daily",), "CAD prevention"),
    "gabapentin": ("Gabapentin", ("100 mg", "300 mg"), "PO", ("TID", "nightly"), "Neuropathy"),
    "vitd": ("Cholecalciferol", ("1000 units", "2000 units"), "PO", ("daily",), "Supplement"),
}

ALLERGIES = (
    "Penicillin - rash",
    "Sulfa drugs - hives",
    "Codeine - nausea",
    "Lisinopril - angioedema",
    "Latex - contact dermatitis",
    "Shellfish - anaphylaxis",
    "Morphine - itching",
    "Amoxicillin - hives",
)


@dataclass(frozen=True)
class Med:
    """One medication line."""

    name: str
    dose: str
    route: str
    freq: str
    indication: str

    @property
    def sig(self) -> str:
        """'Metformin 500 mg PO BID'."""
        return f"{self.name} {self.dose} {self.route} {self.freq}"


def pick_problems(rng: random.Random, k: int) -> list[Problem]:
    """``k`` distinct chronic problems."""
    return rng.sample(PROBLEMS, k)


def meds_for(rng: random.Random, problems: list[Problem], extra: int) -> list[Med]:
    """Medications that go with the problems, plus ``extra`` common ones."""
    keys: list[str] = []
    for p in problems:
        for m in p.meds:
            if m not in keys and rng.random() < 0.85:
                keys.append(m)
    others = [k for k in MEDS if k not in keys]
    keys += rng.sample(others, min(extra, len(others)))
    meds = []
    for k in keys:
        name, doses, route, freqs, ind = MEDS[k]
        meds.append(Med(name, rng.choice(doses), route, rng.choice(freqs), ind))
    return meds


def allergies(rng: random.Random) -> list[str]:
    """'NKDA' or one to three allergies with reactions."""
    if rng.random() < 0.4:
        return ["NKDA"]
    return rng.sample(ALLERGIES, rng.randint(1, 3))


# ------------------------------------------------- truth for meds, problems and allergies
def med_truth(m: Med, status: str) -> dict:
    """One truth medication; a discontinued line prints no route or frequency."""
    active = status == "active"
    return {
        "name": m.name,
        "strength": m.dose,
        "route": m.route if active else None,
        "frequency": m.freq if active else None,
        "status": status,
    }


def condition_truth(pr: Problem, category: str) -> dict:
    """One truth condition: a problem printed with its ICD-10-CM code."""
    return {"code": pr.icd, "display": pr.name, "category": category}


def allergy_truth(item: str) -> dict:
    """One truth allergy from a printed item: 'Penicillin - rash' or 'NKDA'."""
    if item == "NKDA":
        return {"substance": None, "reaction": None, "no_known": True}
    substance, reaction = item.split(" - ")
    return {"substance": substance, "reaction": reaction, "no_known": False}
