"""The six chart kinds: each builder writes rows and records the truth observations."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from samples import clinical as cl
from samples.identity import (
    Facility,
    Patient,
    People,
    Provider,
    format_date,
    format_phone,
    phone,
)
from samples.layout import Cell, Part, PartLike, Row, Style, Writer, as_parts, phi

KINDS = (
    "progress-note",
    "lab-report",
    "vitals-flowsheet",
    "discharge-summary",
    "intake-form",
    "medication-list",
)


@dataclass
class Ctx:
    """Everything one document is made from; all randomness comes from ``rng``/``people``."""

    rng: random.Random
    people: People
    patient: Patient
    facility: Facility
    provider: Provider
    date: dt.date  # the document date (visit, collection, report, discharge)
    date_style: str
    phone_style: str
    shrink: float = 1.0  # below 1: less content, to fit fewer pages
    upper_headings: bool = True
    colon_headings: bool = False
    bullet: str = "- "
    observations: list[dict] = field(default_factory=list)
    medications: list[dict] = field(default_factory=list)
    conditions: list[dict] = field(default_factory=list)
    allergies: list[dict] = field(default_factory=list)

    def d(self, day: dt.date) -> Part:
        """A printed date (PHI)."""
        return phi("DATE", format_date(day, self.date_style))

    def tel(self, digits: str) -> Part:
        """A printed phone or fax number (PHI)."""
        return phi("PHONE_NUMBER", format_phone(digits, self.phone_style))

    def count(self, lo: int, hi: int) -> int:
        """A random count in [lo, hi], scaled down by ``shrink`` (at least 1)."""
        return max(1, round(self.rng.randint(lo, hi) * self.shrink))

    def age_parts(self, day: dt.date | None = None) -> list[PartLike]:
        """The patient's age; only ages over 89 are PHI."""
        age = self.patient.age_on(day or self.date)
        return [phi("AGE", str(age)) if age > 89 else str(age)]

    def introduction(self, title_: str, then: str, day: dt.date | None = None) -> list[PartLike]:
        """A narrative's opening, "Mr. SMITH is a 67-year-old male " and ``then``."""
        p = self.patient.person
        intro: list[PartLike] = [f"{title_} ", phi("PERSON", p.family), " is a "]
        return [*intro, *self.age_parts(day), f"-year-old {p.gender} {then}"]

    def obs(self, *records: dict) -> None:
        """Record truth observations for values just printed."""
        self.observations.extend(records)

    def meds(self, meds: Sequence[cl.Med], status: str = "active") -> Sequence[cl.Med]:
        """Record truth medications for lines just printed; returns ``meds``."""
        self.medications.extend(cl.med_truth(m, status) for m in meds)
        return meds

    def problems(self, problems: Sequence[cl.Problem], category: str) -> Sequence[cl.Problem]:
        """Record truth conditions for problems printed with their ICD-10 code."""
        self.conditions.extend(cl.condition_truth(pr, category) for pr in problems)
        return problems

    def allergy_text(self, items: Sequence[str]) -> str:
        """'NKDA' or 'Penicillin - rash; Codeine - nausea', recorded as truth allergies."""
        self.allergies.extend(cl.allergy_truth(item) for item in items)
        return "; ".join(items)

    def time(self) -> str:
        """A clock time, HH:MM."""
        return f"{self.rng.randint(6, 18):02d}:{self.rng.randint(0, 59):02d}"


# --------------------------------------------------------------------- pieces
def spread(
    w: Writer,
    groups: Sequence[PartLike | Sequence[PartLike]],
    *,
    align: str = "left",
    size: int | None = None,
    bold: bool = False,
    gap: int | None = None,
    space_before: int = 0,
    keep: bool = False,
) -> Row:
    """Groups of parts on one line, ``gap`` px apart, aligned left, center or right."""
    st = w.style
    size = size or st.size
    font = st.font(size, bold)
    parts = [as_parts(g) for g in groups]
    widths = [font.getlength("".join(t for t, _ in p)) for p in parts]
    gap = gap if gap is not None else round(st.space(size) * 4)
    total = sum(widths) + gap * (len(parts) - 1)
    if align == "center":
        x = st.margin_l + (st.content_w - total) / 2
    elif align == "right":
        x = st.right - total
    else:
        x = st.margin_l
    cells = []
    for p, wd in zip(parts, widths, strict=True):
        cells.append(Cell(p, round(x), bold))
        x += wd + gap
    return w.line(*cells, size=size, space_before=space_before, keep=keep)


def heading(c: Ctx, w: Writer, text: str) -> None:
    """A section heading, kept with what follows."""
    t = text.upper() if c.upper_headings else text
    if c.colon_headings:
        t += ":"
    w.text(t, bold=True, space_before=round(w.style.size * 0.7), keep=True)


def bullets(c: Ctx, w: Writer, items: Sequence[Sequence[PartLike]], numbered: bool = False) -> None:
    """A list, one paragraph per item."""
    indent = round(w.style.size * 1.2)
    for i, item in enumerate(items, 1):
        mark = f"{i}. " if numbered else c.bullet
        w.paragraph([mark, *item], x=w.style.margin_l + indent // 2, indent=indent)


def letterhead(c: Ctx, w: Writer, dept: str | None = None) -> None:
    """Facility name, address, phone and fax, sometimes a URL or email, then a rule."""
    f, rng, st = c.facility, c.rng, w.style
    big = round(st.size * rng.uniform(1.45, 1.75))
    small = round(st.size * rng.choice((0.9, 0.95, 1.0)))
    align = rng.choice(("center", "center", "left"))
    spread(w, [[phi("FACILITY", f.name)]], align=align, size=big, bold=True)
    if dept:
        spread(w, [dept], align=align, size=small)
    tel_label = rng.choice(("Tel: ", "Phone: ", "Ph: ", "Tel "))
    fax_label = rng.choice(("Fax: ", "Fax ", "F: "))
    phones = [[tel_label, c.tel(f.phone)], [fax_label, c.tel(f.fax)]]
    if rng.random() < 0.5:
        spread(w, [f.address.parts()], align=align, size=small)
    else:
        spread(w, [[phi("STREET_ADDRESS", f.address.street)]], align=align, size=small)
        spread(w, [f.address.city_line()], align=align, size=small)
    spread(w, phones, align=align, size=small)
    web: list[list[PartLike]] = []
    if f.url:
        web.append([phi("URL", f.url)])
    if f.email:
        web.append([phi("EMAIL_ADDRESS", f.email)])
    if web:
        spread(w, web, align=align, size=small)
    w.rule(thickness=rng.choice((2, 3, 4)), space=round(st.size * 0.9))


def title(c: Ctx, w: Writer, text: str) -> None:
    """The document title."""
    size = round(w.style.size * c.rng.uniform(1.2, 1.4))
    spread(w, [text], align=c.rng.choice(("center", "left")), size=size, bold=True)
    w.gap(round(w.style.size * 0.4))


Pair = tuple[str, PartLike | Sequence[PartLike]]


def name_pair(c: Ctx) -> Pair:
    """The patient's name with one of the usual labels."""
    p = c.patient.person
    return c.rng.choice(
        (
            ("Patient:", [phi("PERSON", p.upper)]),
            ("Patient:", [phi("PERSON", p.inverted)]),
            ("Name:", [phi("PERSON", p.natural)]),
            ("Patient Name:", [phi("PERSON", p.inverted)]),
        )
    )


def mrn_pair(c: Ctx) -> Pair:
    """The MRN with one of the usual labels."""
    label = c.rng.choice(("MRN:", "MRN:", "Med Rec #:", "Medical Record No.:", "MR#:"))
    return (label, [phi("MRN", c.patient.mrn)])


def patient_block(c: Ctx, w: Writer, extra: Sequence[Pair], *, long: bool = True) -> None:
    """Labelled patient fields in two columns, interleaved with document fields."""
    rng, p = c.rng, c.patient
    core: list[Pair] = [name_pair(c), mrn_pair(c)]
    core.append((rng.choice(("DOB:", "Date of Birth:", "DOB:")), [c.d(p.dob)]))
    sex = p.person.gender
    if rng.random() < 0.5:
        core.append(("Sex:", "M" if sex == "male" else "F"))
    else:
        core.append((rng.choice(("Sex:", "Gender:")), sex.capitalize()))
    if rng.random() < 0.5:
        core.append(("Age:", [*c.age_parts(), rng.choice(("", " y", " yrs"))]))
    pairs: list[Pair] = []
    extra = list(extra)
    for i in range(max(len(core), len(extra))):
        if i < len(core):
            pairs.append(core[i])
        if i < len(extra):
            pairs.append(extra[i])
    tail: list[Pair] = []
    if long:
        if rng.random() < 0.8:
            tail.append(("Address:", p.address.parts()))
        if rng.random() < 0.8:
            tail.append((rng.choice(("Phone:", "Home Phone:", "Tel:")), [c.tel(p.phone)]))
        if rng.random() < 0.35:
            tail.append(("SSN:", [phi("US_SSN", p.ssn)]))
        if rng.random() < 0.45:
            tail.append(("Insurance:", p.insurer))
            tail.append(("Member ID:", [phi("ID", p.member_id)]))
        if rng.random() < 0.25:
            tail.append(("Acct #:", [phi("ID", p.account)]))
        if rng.random() < 0.45:
            ec = p.contact
            tail.append(
                (
                    "Emergency Contact:",
                    [phi("PERSON", ec.person.natural), f" ({ec.relationship}) ", c.tel(ec.phone)],
                )
            )
    boxed = rng.random() < 0.4
    if boxed:
        w.rule(thickness=2, space=round(w.style.size * 0.6))
    tab = round(w.style.content_w * rng.choice((0.0, 0.1, 0.12)))
    w.fields(pairs, cols=2, tab=tab or None)
    if tail:
        w.fields(tail, cols=2)
    if boxed:
        w.rule(thickness=2, space=round(w.style.size * 0.6))
    else:
        w.gap(round(w.style.size * 0.4))


def signature(c: Ctx, w: Writer, who: Provider, day: dt.date) -> None:
    """A signature line with the signer and date."""
    rng = c.rng
    form = rng.randrange(3)
    if form == 0:
        parts = [
            "Electronically signed by: ",
            *who.parts("plain"),
            " on ",
            c.d(day),
            f" {c.time()}",
        ]
    elif form == 1:
        parts = ["Signed by: ", *who.parts("dr"), " Date: ", c.d(day)]
    else:
        parts = ["Signed: ", *who.parts("inverted"), f" {c.time()} ", c.d(day)]
    w.paragraph(parts, space_before=round(w.style.size * 1.2))


VITAL_ORDER = ("bp", "hr", "rr", "temp", "spo2", "weight", "height", "bmi")


def vital_pairs(c: Ctx, v: cl.Vitals, day: dt.date, which: Sequence[str]) -> list[Pair]:
    """Vitals as label/value pairs, recording an observation for each."""
    rng = c.rng
    long = rng.random() < 0.4
    units = rng.random() < 0.7
    out: list[Pair] = []
    for k in which:
        if k == "bp":
            out.append(
                (
                    "Blood Pressure:" if long else "BP:",
                    f"{v.sys}/{v.dia}" + (" mmHg" if units else ""),
                )
            )
        elif k == "hr":
            out.append(("Pulse:" if long else "HR:", f"{v.hr}" + (" bpm" if units else "")))
        elif k == "rr":
            out.append(("Resp:" if long else "RR:", f"{v.rr}" + (" /min" if units else "")))
        elif k == "temp":
            out.append(("Temp:", v.temp_text()))
        elif k == "spo2":
            out.append(("O2 Sat:" if long else "SpO2:", f"{v.spo2}" + rng.choice((" %", "%"))))
        elif k == "weight":
            out.append(("Weight:" if long else "Wt:", v.weight_text()))
        elif k == "height":
            out.append(("Height:" if long else "Ht:", v.height_value[2]))
        elif k == "bmi":
            out.append(("BMI:", f"{v.bmi:.1f}" + (" kg/m2" if units else "")))
        c.obs(cl.vital_obs(v, day, k))
    return out


def vitals_prose(c: Ctx, v: cl.Vitals, day: dt.date, which: Sequence[str]) -> str:
    """Vitals in a sentence, recording an observation for each."""
    form = c.rng.randrange(3)
    words = {
        0: {
            "bp": f"blood pressure {v.sys}/{v.dia}",
            "hr": f"heart rate {v.hr}",
            "rr": f"respiratory rate {v.rr}",
            "temp": f"temperature {v.temp_text()}",
            "spo2": f"oxygen saturation {v.spo2}% on room air",
            "weight": f"weight {v.weight_text()}",
        },
        1: {
            "bp": f"BP {v.sys}/{v.dia} mmHg",
            "hr": f"pulse {v.hr}",
            "rr": f"RR {v.rr}",
            "temp": f"T {v.temp_text()}",
            "spo2": f"SpO2 {v.spo2}% RA",
            "weight": f"Wt {v.weight_text()}",
        },
        2: {
            "bp": f"BP {v.sys}/{v.dia}",
            "hr": f"HR {v.hr}",
            "rr": f"RR {v.rr}",
            "temp": f"Temp {v.temp_text()}",
            "spo2": f"SpO2 {v.spo2}%",
            "weight": f"weight {v.weight_text()}",
        },
    }[form]
    items = []
    for k in which:
        items.append(words[k])
        c.obs(cl.vital_obs(v, day, k))
    text = ", ".join(items)
    return text[0].upper() + text[1:] + "."


def meds_items(c: Ctx, meds: Sequence[cl.Med]) -> list[list[PartLike]]:
    """Medication sigs as list items (recorded as active truth medications)."""
    return [[m.sig] for m in c.meds(meds)]


def pronouns(c: Ctx) -> tuple[str, str, str]:
    """(Mr./Ms., he/she, his/her)."""
    if c.patient.person.gender == "male":
        return "Mr.", "he", "his"
    return "Ms.", "she", "her"


def new_vitals(c: Ctx, **kw: object) -> cl.Vitals:
    """Vitals in this document's units."""
    rng = c.rng
    return cl.make_vitals(
        rng,
        metric_temp=rng.random() < 0.2,
        metric_weight=rng.random() < 0.25,
        height_style=rng.choice(("ftin", "in", "cm")),
        **kw,  # type: ignore[arg-type]
    )


ROS = (
    "Constitutional: negative for fever, chills, or weight loss.",
    "Eyes: no vision changes.",
    "Cardiovascular: negative for chest pain, palpitations, or edema.",
    "Respiratory: negative for cough or dyspnea.",
    "Gastrointestinal: negative for nausea, vomiting, or abdominal pain.",
    "Genitourinary: negative for dysuria or hematuria.",
    "Musculoskeletal: chronic knee pain, unchanged.",
    "Neurological: negative for headache, weakness, or numbness.",
    "Psychiatric: mood stable, sleeping well.",
    "Skin: no rashes or new lesions.",
)
EXAM = (
    "General: alert and oriented, in no acute distress.",
    "HEENT: normocephalic, atraumatic; oropharynx clear.",
    "Neck: supple, no lymphadenopathy or JVD.",
    "Lungs: clear to auscultation bilaterally, no wheezes or crackles.",
    "Heart: regular rate and rhythm, no murmurs, rubs, or gallops.",
    "Abdomen: soft, non-tender, non-distended; normal bowel sounds.",
    "Extremities: no clubbing, cyanosis, or edema.",
    "Neuro: cranial nerves intact, strength 5/5 throughout.",
    "Skin: warm and dry, no rashes.",
)
SOCIAL = (
    ("Tobacco:", ("Never smoker", "Former smoker, quit 10 years ago", "Current, 1/2 pack per day")),
    ("Alcohol:", ("None", "Socially", "2-3 drinks per week")),
    ("Drug use:", ("Denies",)),
    ("Lives with:", ("Spouse", "Alone", "Daughter and son-in-law", "Assisted living")),
    ("Occupation:", ("Retired teacher", "Accountant", "Truck driver", "Nurse", "Retired")),
)
FAMILY = ("Mother:", "Father:", "Sister:", "Brother:")
FAMILY_DX = (
    "hypertension", "type 2 diabetes", "breast cancer", "coronary artery disease",
    "stroke", "colon cancer", "no known problems", "hyperlipidemia",
)  # fmt: skip
LAB_HEADERS = (("Test", "Test Name", "Analyte"), ("Reference Range", "Ref Range", "Normal Range"))


def lab_table(
    c: Ctx, w: Writer, results: Sequence[cl.LabResult], day: dt.date, ruled: str | None = None
) -> None:
    """Results as a Test / Result / Units / Reference Range / Flag table."""
    rng = c.rng
    header = [rng.choice(LAB_HEADERS[0]), "Result", "Units", rng.choice(LAB_HEADERS[1]), "Flag"]
    body = [[r.name, r.text, r.unit, r.range_text, r.flag] for r in results]
    w.table(header, body, ruled=ruled or rng.choice(("none", "lines", "grid")))
    c.obs(*(cl.lab_obs(r, day, with_range=True) for r in results))


def lines_of(c: Ctx, w: Writer, items: Sequence[str]) -> None:
    """Each item as its own paragraph."""
    for item in items:
        w.paragraph([item])


# ------------------------------------------------------------------- builders
def progress_note(c: Ctx, w: Writer) -> None:
    """A clinic progress note (SOAP-ish) with vitals in a block or in prose."""
    rng, p = c.rng, c.patient
    title_, he_, his = pronouns(c)
    letterhead(c, w, rng.choice((None, "Internal Medicine", "Family Medicine")))
    title(c, w, rng.choice(("PROGRESS NOTE", "Clinic Progress Note", "OFFICE VISIT NOTE")))
    patient_block(
        c,
        w,
        [
            (rng.choice(("Visit Date:", "Date of Service:")), [c.d(c.date)]),
            (rng.choice(("Provider:", "Attending:")), c.provider.parts("dr")),
        ],
    )
    problems = cl.pick_problems(rng, max(2, c.count(2, 4)))
    meds = cl.meds_for(rng, problems, c.count(0, 3))
    reason = rng.choice(("follow-up of chronic conditions", "a routine visit", "medication review"))
    heading(c, w, "Chief Complaint")
    w.paragraph([f"Follow-up of {problems[0].short} and {problems[1].short}."])
    heading(c, w, "History of Present Illness")
    hpi: list[PartLike] = [
        *c.introduction(title_, "with a history of "),
        ", ".join(pr.short for pr in problems),
        f" who presents for {reason}. ",
    ]
    if rng.random() < 0.6:
        prev = c.date - dt.timedelta(days=rng.randint(60, 200))
        other = c.people.provider()
        hpi += [
            f"{he_.capitalize()} was last seen on ",
            c.d(prev),
            " by ",
            *other.parts("dr"),
            ". ",
        ]
    if rng.random() < 0.5:
        ec = p.contact
        hpi += [
            f"{he_.capitalize()} is accompanied by {his} {ec.relationship.lower()}, ",
            phi("PERSON", ec.person.natural),
            ". ",
        ]
    extra = [
        f"{he_.capitalize()} reports good adherence to {his} medications",
        "and denies chest pain, shortness of breath, or dizziness.",
        "Appetite and sleep are stable.",
    ]
    hpi.append(" ".join(extra[: 1 + c.count(1, 2)]))
    w.paragraph(hpi)
    if c.shrink >= 0.6:
        heading(c, w, "Review of Systems")
        w.paragraph([" ".join(rng.sample(ROS, c.count(3, 7)))])
    if c.shrink >= 0.8 and rng.random() < 0.6:
        heading(c, w, "Social History")
        picks = rng.sample(SOCIAL, 3)
        w.paragraph([" ".join(f"{k} {rng.choice(v)}." for k, v in picks)])
    v = new_vitals(c)
    heading(c, w, rng.choice(("Vital Signs", "Vitals", "Objective")))
    which = [k for k in VITAL_ORDER if k in ("bp", "hr") or rng.random() < 0.75]
    if rng.random() < 0.5:
        w.fields(vital_pairs(c, v, c.date, which), cols=rng.choice((3, 4)))
    else:
        w.paragraph([vitals_prose(c, v, c.date, [k for k in which if k not in ("height", "bmi")])])
    if c.shrink >= 0.6:
        heading(c, w, "Physical Exam")
        lines_of(c, w, EXAM[: c.count(4, len(EXAM))])
    if c.shrink >= 0.8 and rng.random() < 0.6:
        lab_day = c.date - dt.timedelta(days=rng.randint(3, 40))
        keys = ("glucose", "creatinine", "potassium", "sodium", "hgb", "wbc", "ldl", "tsh", "alt")
        results = [cl.make_lab(rng, k, p.person.gender) for k in rng.sample(keys, c.count(3, 7))]
        heading(c, w, "Labs Reviewed")
        w.paragraph(["Results from ", c.d(lab_day), ":"])
        lab_table(c, w, results, lab_day)
    heading(c, w, rng.choice(("Current Medications", "Medications")))
    bullets(c, w, meds_items(c, meds))
    heading(c, w, "Allergies")
    w.paragraph([c.allergy_text(cl.allergies(rng))])
    heading(c, w, rng.choice(("Assessment and Plan", "Assessment/Plan", "A/P")))
    for i, pr in enumerate(c.problems(problems, "encounter-diagnosis"), 1):
        item: list[PartLike] = [f"{i}. {pr.name} ({pr.icd}): ", " ".join(pr.plan[: c.count(1, 2)])]
        if pr.icd == "E11.9" and rng.random() < 0.7:
            r = cl.make_lab(rng, "a1c", p.person.gender)
            day = c.date - dt.timedelta(days=rng.randint(0, 30))
            item += [f" Most recent HbA1c {r.text}% on ", c.d(day), "."]
            c.obs(cl.lab_obs(r, day))
        w.paragraph(item, indent=round(w.style.size * 1.2))
    follow = rng.choice((4, 6, 8, 12))
    w.paragraph([f"Return to clinic in {follow} weeks or sooner as needed."], space_before=10)
    signature(c, w, c.provider, c.date)


def lab_report(c: Ctx, w: Writer) -> None:
    """A lab report: panels as tables of Test, Result, Units, Reference Range, Flag."""
    rng, p = c.rng, c.patient
    letterhead(c, w, rng.choice(("Clinical Laboratory", "Department of Pathology", None)))
    title(c, w, rng.choice(("LABORATORY REPORT", "Laboratory Results", "LAB RESULTS REPORT")))
    received = c.date + dt.timedelta(days=rng.choice((0, 0, 1)))
    accession = f"L{c.date.year % 100:02d}-{rng.randint(100000, 999999)}"
    extra: list[Pair] = [
        ("Collected:", [c.d(c.date), f" {c.time()}"]),
        ("Ordering Provider:", c.provider.parts("inverted")),
        ("Received:", [c.d(received), f" {c.time()}"]),
        ("Accession #:", [phi("ID", accession)]),
    ]
    if rng.random() < 0.5:
        extra.append(("Reported:", [c.d(received)]))
    if rng.random() < 0.5:
        extra.append(("Specimen:", rng.choice(("Serum", "Blood, venous", "Serum/Whole blood"))))
    patient_block(c, w, extra, long=rng.random() < 0.5)
    panels = [rng.choice(("COMPREHENSIVE METABOLIC PANEL", "BASIC METABOLIC PANEL"))]
    panels += [
        x for x in ("CBC", "LIPID PANEL", "HEMOGLOBIN A1C", "THYROID") if rng.random() < 0.75
    ]
    panels = panels[: max(1, round(len(panels) * c.shrink + 0.49))]
    header = [
        rng.choice(("Test", "Test Name", "Analyte")),
        "Result",
        "Units",
        rng.choice(("Reference Range", "Ref Range", "Normal Range")),
        "Flag",
    ]
    ruled = rng.choice(("none", "lines", "grid"))
    unit_style = rng.randrange(3)
    for panel in panels:
        results = [cl.make_lab(rng, k, p.person.gender, unit_style) for k in cl.PANELS[panel]]
        heading(c, w, panel)
        w.table(
            header, [[r.name, r.text, r.unit, r.range_text, r.flag] for r in results], ruled=ruled
        )
        c.obs(*(cl.lab_obs(r, c.date, with_range=True) for r in results))
    w.paragraph(["H = above reference range; L = below reference range."], space_before=20)
    if c.shrink >= 0.8 and rng.random() < 0.6:
        heading(c, w, "Comments")
        w.paragraph(
            [
                "Specimen received at room temperature. LDL cholesterol is calculated by the "
                "Friedewald equation and is not reported when triglycerides exceed 400 mg/dL. "
                "Reference ranges are for adults and were established by this laboratory."
            ]
        )
    tech = c.people.person()
    w.paragraph(
        ["Results verified by ", phi("PERSON", tech.natural), ", MT(ASCP) on ", c.d(received), "."]
    )
    if rng.random() < 0.5:
        director = c.people.provider()
        clia = f"{rng.randint(10, 99)}D{rng.randint(1000000, 9999999)}"
        w.paragraph(["Laboratory Director: ", *director.parts("dr"), " CLIA #: ", phi("ID", clia)])


def vitals_flowsheet(c: Ctx, w: Writer) -> None:
    """A flowsheet: one table row per date/time with BP, HR, RR, Temp, SpO2, Wt."""
    rng = c.rng
    letterhead(c, w, rng.choice((None, "Nursing Services", "Inpatient Unit 4 West")))
    title(c, w, rng.choice(("VITAL SIGNS FLOWSHEET", "Vital Signs Record", "VITALS FLOWSHEET")))
    inpatient = rng.random() < 0.6
    n = c.count(12, 130) if inpatient else c.count(5, 18)
    # Rows are in time order; the document date is the last row's date.
    stamps: list[tuple[dt.date, str]] = []
    if inpatient:
        hours = rng.choice((4, 6, 8))
        start_h = rng.choice(range(0, hours))
        total_h = (n - 1) * hours + start_h
        day0 = c.date - dt.timedelta(days=total_h // 24)
        for i in range(n):
            h = start_h + i * hours
            stamps.append(
                (day0 + dt.timedelta(days=h // 24), f"{h % 24:02d}:{rng.randint(0, 20):02d}")
            )
    else:
        day = c.date
        for _ in range(n):
            stamps.append((day, f"{rng.randint(8, 16):02d}:{rng.randint(0, 59):02d}"))
            day -= dt.timedelta(days=rng.randint(20, 120))
        stamps.reverse()
    extra: list[Pair] = [
        ("Report Date:", [c.d(c.date)]),
        ("Attending:" if inpatient else "PCP:", c.provider.parts("dr")),
    ]
    if inpatient:
        extra.append(("Admit Date:", [c.d(stamps[0][0])]))
        extra.append(("Unit/Room:", f"{rng.randint(2, 7)} {rng.choice(('West', 'East', 'North'))}"))
    patient_block(c, w, extra, long=rng.random() < 0.4)
    base = new_vitals(c)
    temp_u = base.temp_unit
    wt_u = base.weight_unit
    header = [
        "Date",
        "Time",
        "BP (mmHg)",
        "HR",
        "RR",
        f"Temp ({temp_u})",
        "SpO2 (%)",
        f"Wt ({wt_u})",
    ]
    body = []
    last_weight_day = None
    for day, hhmm in stamps:
        show_weight = day != last_weight_day
        last_weight_day = day
        v = cl.make_vitals(
            rng,
            metric_temp=temp_u == "C",
            metric_weight=wt_u == "kg",
            height_style=base.height_style,
            base=base,
        )
        cells: list[PartLike | list[PartLike]] = [[c.d(day)], hhmm]
        keys = ["bp", "hr", "rr", "temp", "spo2", "weight"]
        texts = {
            "bp": f"{v.sys}/{v.dia}",
            "hr": str(v.hr),
            "rr": str(v.rr),
            "temp": f"{v.temp:.1f}",
            "spo2": str(v.spo2),
            "weight": f"{v.weight:.1f}" if wt_u == "kg" else f"{v.weight:.0f}",
        }
        for k in keys:
            missing = (k == "weight" and not show_weight) or (
                k in ("rr", "spo2", "temp") and rng.random() < 0.06
            )
            if missing:
                cells.append("--")
            else:
                cells.append(texts[k])
                c.obs(cl.vital_obs(v, day, k))
        body.append(cells)
    heading(c, w, rng.choice(("Vital Signs", "Flowsheet")))
    w.table(header, body, ruled=rng.choice(("none", "lines", "grid")))
    nurse = c.people.person()
    w.paragraph(
        ["Recorded by: ", phi("PERSON", nurse.natural), ", RN"],
        space_before=round(w.style.size * 0.8),
    )


PROSE_LAB = {
    "creatinine": "creatinine",
    "potassium": "potassium",
    "sodium": "sodium",
    "wbc": "white blood cell count",
    "hgb": "hemoglobin",
    "glucose": "glucose",
}


def discharge_summary(c: Ctx, w: Writer) -> None:
    """A discharge summary with hospital course prose, admission labs and discharge vitals."""
    rng, p = c.rng, c.patient
    title_, he_, his = pronouns(c)
    letterhead(c, w, rng.choice((None, "Hospital Medicine Service")))
    title(c, w, rng.choice(("DISCHARGE SUMMARY", "Discharge Summary")))
    los = rng.randint(2, 9)
    admit = c.date - dt.timedelta(days=los)
    pcp = c.people.provider()
    patient_block(
        c,
        w,
        [
            ("Admission Date:", [c.d(admit)]),
            ("Discharge Date:", [c.d(c.date)]),
            ("Attending:", c.provider.parts("dr")),
            ("PCP:", pcp.parts("dr")),
        ],
    )
    acute = rng.choice(cl.ACUTE)
    chronic = cl.pick_problems(rng, c.count(2, 5))
    heading(c, w, "Admitting Diagnosis")
    w.paragraph([acute.name.capitalize() + "."])
    heading(c, w, "Discharge Diagnoses")
    diagnoses = c.problems([acute, *chronic], "encounter-diagnosis")
    bullets(c, w, [[f"{pr.name} ({pr.icd})"] for pr in diagnoses], numbered=True)
    if c.shrink >= 0.8:
        heading(c, w, "History of Present Illness")
        onset = rng.choice(("two days", "three days", "one week", "several days"))
        w.paragraph(
            [
                f"{he_.capitalize()} reports {onset} of progressive symptoms prior to "
                f"presentation, with decreased oral intake and fatigue. {his.capitalize()} "
                "symptoms did not improve with rest at home. " + " ".join(rng.sample(ROS, 3))
            ]
        )
    heading(c, w, "Hospital Course")
    course: list[PartLike] = [
        *c.introduction(title_, "with ", admit),
        ", ".join(pr.short for pr in chronic),
        " who presented ",
    ]
    if rng.random() < 0.4:
        other = c.people.facility()
        course += ["as a transfer from ", phi("FACILITY", other.name), " "]
    course += ["on ", c.d(admit), f" with {acute.short}. "]
    v_adm = dataclasses.replace(
        new_vitals(c), temp=round(rng.uniform(99.5, 102.4), 1), temp_unit="F"
    )
    course.append("On arrival, " + vitals_prose(c, v_adm, admit, ("bp", "hr", "temp", "spo2")))
    w.paragraph(course)
    labs = rng.sample(("creatinine", "potassium", "sodium", "wbc", "hgb", "glucose"), c.count(2, 4))
    results = [cl.make_lab(rng, k, p.person.gender) for k in labs]
    lab_text = ", ".join(f"{PROSE_LAB[r.key]} {r.text} {r.unit}" for r in results)
    w.paragraph(
        [f"Admission labs were notable for {lab_text}. " + " ".join(acute.plan)],
        space_before=round(w.style.size * 0.5),
    )
    c.obs(*(cl.lab_obs(r, admit) for r in results))
    if c.shrink >= 0.7:
        w.paragraph(
            [
                f"{he_.capitalize()} remained hemodynamically stable for the remainder of the "
                f"stay. Home medications were resumed. Physical therapy evaluated {his} mobility "
                "and recommended discharge home with outpatient therapy. "
                + " ".join(pr.plan[0] for pr in chronic[:2])
            ],
            space_before=round(w.style.size * 0.5),
        )
    if c.shrink >= 0.8:
        heading(c, w, "Hospital Course by Problem")
        for i, pr in enumerate([acute, *chronic], 1):
            w.paragraph(
                [f"{i}. {pr.short.capitalize()}: " + " ".join(pr.plan)],
                indent=round(w.style.size * 1.2),
            )
    if c.shrink >= 0.6:
        heading(c, w, "Consultations")
        services = rng.sample(
            ("Cardiology", "Nephrology", "Infectious Disease", "Physical Therapy", "Pulmonology"),
            c.count(1, 3),
        )
        bullets(c, w, [[f"{sv} - ", *c.people.provider().parts("dr")] for sv in services])
        heading(c, w, "Procedures")
        proc_day = admit + dt.timedelta(days=rng.randint(0, max(0, los - 1)))
        proc = rng.choice(
            (
                "Chest X-ray: no acute cardiopulmonary process.",
                "Echocardiogram: ejection fraction 40-45%, mild mitral regurgitation.",
                "CT abdomen and pelvis with contrast: no acute findings.",
                "Renal ultrasound: no hydronephrosis.",
            )
        )
        w.paragraph([c.d(proc_day), f" - {proc}"])
    if c.shrink >= 0.8:
        heading(c, w, "Pertinent Results at Discharge")
        keys = rng.sample(
            ("sodium", "potassium", "creatinine", "bun", "glucose", "hgb", "wbc", "plt"),
            c.count(4, 8),
        )
        lab_table(c, w, [cl.make_lab(rng, k, p.person.gender) for k in keys], c.date)
    heading(c, w, "Discharge Vitals")
    v_dc = new_vitals(c)
    which = [
        k
        for k in ("bp", "hr", "rr", "temp", "spo2", "weight")
        if k in ("bp", "hr") or rng.random() < 0.8
    ]
    if rng.random() < 0.5:
        w.fields(vital_pairs(c, v_dc, c.date, which), cols=3)
    else:
        w.paragraph([vitals_prose(c, v_dc, c.date, which)])
    heading(c, w, "Discharge Medications")
    bullets(c, w, meds_items(c, cl.meds_for(rng, [acute, *chronic], c.count(0, 3))))
    heading(c, w, "Allergies")
    w.paragraph([c.allergy_text(cl.allergies(rng))])
    heading(c, w, "Follow-up")
    follow_day = c.date + dt.timedelta(days=rng.randint(5, 14))
    w.paragraph(
        [
            "Follow up with ",
            *pcp.parts("dr"),
            " on ",
            c.d(follow_day),
            ". Call ",
            c.tel(c.facility.phone),
            " with questions. Repeat basic metabolic panel in one week.",
        ]
    )
    if c.shrink >= 0.8:
        heading(c, w, "Discharge Instructions")
        w.paragraph(
            [
                "Resume a heart-healthy, low sodium diet. Increase activity as tolerated. Take all "
                "medications as prescribed and bring this list to every appointment. Return to the "
                "emergency department for chest pain, shortness of breath, fever above 101 F, "
                "confusion, or any other concerning symptoms."
            ]
        )
        if rng.random() < 0.5:
            w.paragraph(
                ["Blood cultures drawn on ", c.d(admit), " showed no growth to date at discharge."]
            )
    heading(c, w, "Condition at Discharge")
    w.paragraph(
        [rng.choice(("Stable. Discharged home with family.", "Improved; discharged home."))]
    )
    signature(c, w, c.provider, c.date)


def intake_form(c: Ctx, w: Writer) -> None:
    """A new patient intake form: demographics, insurance, contacts, history, vitals."""
    rng, p = c.rng, c.patient
    per = p.person
    letterhead(c, w)
    title(c, w, rng.choice(("NEW PATIENT INTAKE FORM", "Patient Registration Form")))
    w.fields([("Date:", [c.d(c.date)])], cols=1)
    heading(c, w, "Patient Information")
    w.fields(
        [
            ("Last Name:", [phi("PERSON", per.family)]),
            ("First Name:", [phi("PERSON", per.given)]),
            ("Date of Birth:", [c.d(p.dob)]),
            ("Sex:", per.gender.capitalize()),
            ("Age:", c.age_parts()),
            ("SSN:", [phi("US_SSN", p.ssn)]),
        ],
        cols=2,
    )
    w.fields([("Street Address:", [phi("STREET_ADDRESS", p.address.street)])], cols=1)
    w.fields(
        [
            ("City:", [phi("CITY", p.address.city)]),
            ("State:", p.address.state),
            ("ZIP:", [phi("ZIP_CODE", p.address.zip)]),
        ],
        cols=3,
    )
    w.fields(
        [("Home Phone:", [c.tel(p.phone)]), ("Email:", [phi("EMAIL_ADDRESS", p.email)])], cols=2
    )
    if rng.random() < 0.7:
        w.fields([("MRN (office use):", [phi("MRN", p.mrn)])], cols=1)
    heading(c, w, "Insurance")
    w.fields(
        [
            ("Primary Insurance:", p.insurer),
            ("Member ID:", [phi("ID", p.member_id)]),
            ("Group #:", [phi("ID", p.group)]),
            ("Subscriber:", [phi("PERSON", per.natural)]),
        ],
        cols=2,
    )
    heading(c, w, "Emergency Contact")
    ec = p.contact
    w.fields(
        [
            ("Name:", [phi("PERSON", ec.person.natural)]),
            ("Relationship:", ec.relationship),
            ("Phone:", [c.tel(ec.phone)]),
        ],
        cols=2,
    )
    heading(c, w, "Primary Care Physician")
    pcp = c.people.provider()
    w.fields([("Physician:", pcp.parts("dr")), ("Phone:", [c.tel(phone(rng))])], cols=2)
    heading(c, w, "Medical History")
    problems = cl.pick_problems(rng, c.count(1, 4))
    names = [pr.short for pr in problems]
    checklist = [
        "diabetes",
        "hypertension",
        "asthma",
        "COPD",
        "depression",
        "GERD",
        "heart failure",
    ]
    marks = []
    for item in checklist:
        has = any(item.lower() in n.lower() for n in names)
        marks.append(f"{item.capitalize() if item.islower() else item}: {'Yes' if has else 'No'}")
    for i in range(0, len(marks), 4):
        spread(w, marks[i : i + 4], gap=round(w.style.size * 1.5))
    w.paragraph(["Other conditions: " + ", ".join(names) + "."])
    if c.shrink >= 0.8:
        heading(c, w, "Family History")
        w.fields([(k, rng.choice(FAMILY_DX)) for k in FAMILY[: c.count(2, 4)]], cols=2)
        heading(c, w, "Social History")
        w.fields([(k, rng.choice(v)) for k, v in SOCIAL], cols=2)
    heading(c, w, "Current Medications")
    meds = cl.meds_for(rng, problems, c.count(0, 2))
    w.paragraph(["; ".join(m.sig for m in c.meds(meds)) + "."])
    heading(c, w, "Allergies")
    w.paragraph([c.allergy_text(cl.allergies(rng))])
    if c.shrink >= 0.6:
        heading(c, w, "Preferred Pharmacy")
        w.fields(
            [
                (
                    "Pharmacy:",
                    rng.choice(("Walgreens", "CVS Pharmacy", "Rite Aid", "Costco Pharmacy")),
                ),
                ("Phone:", [c.tel(phone(rng))]),
            ],
            cols=2,
        )
        heading(c, w, "Consent")
        w.paragraph(
            [
                "I authorize the release of medical information necessary to process insurance "
                "claims and I accept financial responsibility for services not covered by my "
                "plan. I have received the Notice of Privacy Practices."
            ]
        )
    heading(c, w, "Office Use Only")
    v = new_vitals(c)
    w.fields(vital_pairs(c, v, c.date, ("height", "weight", "bp", "hr", "temp")), cols=3)
    row = w.text(
        ["Patient Signature:"],
        space_before=round(w.style.size * 1.5),
    )
    x0 = round(w.style.margin_l + w.style.font(bold=False).getlength("Patient Signature:") + 30)
    row.hrules.append((x0, x0 + 700, row.baseline + 8, 2))
    w.fields([("Date:", [c.d(c.date)])], cols=1)


def medication_list(c: Ctx, w: Writer) -> None:
    """A medication list / reconciliation table, with allergies and a dosing weight."""
    rng = c.rng
    letterhead(c, w, rng.choice((None, "Pharmacy Services")))
    title(c, w, rng.choice(("MEDICATION LIST", "Medication Reconciliation", "Active Medications")))
    patient_block(
        c,
        w,
        [
            ("Date:", [c.d(c.date)]),
            ("Reviewed by:", c.provider.parts("dr")),
        ],
        long=rng.random() < 0.5,
    )
    v = new_vitals(c)
    w.fields(
        [("Allergies:", c.allergy_text(cl.allergies(rng)))]
        + vital_pairs(c, v, c.date, ("weight", "height")),
        cols=3,
    )
    problems = cl.pick_problems(rng, c.count(2, 5))
    meds = cl.meds_for(rng, problems, c.count(1, 5))
    with_dates = rng.random() < 0.6
    header = ["Medication", "Dose", "Route", "Frequency", "Indication"]
    if with_dates:
        header.append("Started")
    body = []
    for m in c.meds(meds):
        cells: list[PartLike | list[PartLike]] = [m.name, m.dose, m.route, m.freq, m.indication]
        if with_dates:
            cells.append([c.d(c.date - dt.timedelta(days=rng.randint(30, 3000)))])
        body.append(cells)
    heading(c, w, "Active Medications")
    w.table(header, body, ruled=rng.choice(("none", "lines", "grid")))
    if c.shrink >= 0.8 and rng.random() < 0.7:
        stopped = cl.meds_for(rng, cl.pick_problems(rng, 2), c.count(1, 3))
        heading(c, w, "Discontinued Medications")
        reasons = (
            "Side effects",
            "No longer indicated",
            "Changed dose",
            "Cost",
            "Completed course",
        )
        w.table(
            ["Medication", "Dose", "Stopped", "Reason"],
            [
                [
                    m.name,
                    m.dose,
                    [c.d(c.date - dt.timedelta(days=rng.randint(10, 900)))],
                    rng.choice(reasons),
                ]
                for m in c.meds(stopped, "stopped")
            ],
            ruled=rng.choice(("none", "lines")),
        )
    if c.shrink >= 0.8 and rng.random() < 0.7:
        heading(c, w, "Immunizations")
        vaccines = (
            "Influenza",
            "COVID-19",
            "Pneumococcal (PCV20)",
            "Tdap",
            "Zoster (RZV)",
            "Hepatitis B",
        )
        body = []
        for vac in rng.sample(vaccines, c.count(2, 6)):
            body.append(
                [
                    vac,
                    [c.d(c.date - dt.timedelta(days=rng.randint(30, 2500)))],
                    rng.choice(("L deltoid", "R deltoid")),
                ]
            )
        w.table(["Vaccine", "Date Given", "Site"], body, ruled=rng.choice(("none", "lines")))
    heading(c, w, "Problem List")
    bullets(c, w, [[f"{pr.name} ({pr.icd})"] for pr in c.problems(problems, "problem-list-item")])
    if rng.random() < 0.5:
        w.paragraph(
            ["Preferred pharmacy phone: ", c.tel(phone(rng))],
            space_before=round(w.style.size * 0.6),
        )
    signature(c, w, c.provider, c.date)


BUILDERS: dict[str, Callable[[Ctx, Writer], None]] = {
    "progress-note": progress_note,
    "lab-report": lab_report,
    "vitals-flowsheet": vitals_flowsheet,
    "discharge-summary": discharge_summary,
    "intake-form": intake_form,
    "medication-list": medication_list,
}


def footer(c: Ctx, style: Style, page: int, pages: int) -> Row:
    """The footer on every page: NAME, MRN, DOB and Page N of M."""
    w = Writer(style)
    size = round(style.size * 0.85)
    p = c.patient
    groups: list[list[PartLike]] = [
        [phi("PERSON", p.person.upper)],
        ["MRN: ", phi("MRN", p.mrn)],
        ["DOB: ", c.d(p.dob)],
    ]
    row = spread(w, groups, size=size, gap=round(style.space(size) * 5))
    row.segments.append(
        w.text(f"Page {page} of {pages}", x=style.right, size=size, align="right").segments[0]
    )
    row.hrules.append((style.margin_l, style.right, -round(size * 0.5), 2))
    return row


def make_style(rng: random.Random) -> Style:
    """A document's typography, chosen at random."""
    from samples.layout import FAMILIES

    family = rng.choice(sorted(FAMILIES))
    mono = "Mono" in family
    size = rng.choice((36, 38, 40) if mono else (40, 42, 44, 46))
    return Style(
        family=family,
        size=size,
        leading=rng.choice((1.3, 1.4, 1.5)),
        margin_l=rng.choice((150, 180, 210, 240)),
        margin_r=rng.choice((150, 180, 210)),
        margin_t=rng.choice((140, 160, 190)),
        margin_b=rng.choice((210, 240)),
        ink=rng.choice((0, 10, 25, 40)),
    )
