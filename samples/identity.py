"""Synthetic people, facilities and the ways charts print them (all from Faker + a seeded RNG)."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass

from faker import Faker

from samples.layout import Part, phi

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# How a document prints dates: 03/14/1948, 1948-03-14, Mar 14, 1948, 14-Mar-1948.
DATE_STYLES = ("mdy", "iso", "mon", "dmon")


def format_date(d: dt.date, style: str) -> str:
    """``d`` printed in one of ``DATE_STYLES``."""
    if style == "mdy":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    if style == "iso":
        return d.isoformat()
    if style == "mon":
        return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"
    if style == "dmon":
        return f"{d.day:02d}-{MONTHS[d.month - 1]}-{d.year}"
    raise ValueError(style)


def phone(rng: random.Random) -> str:
    """Ten digits: area code (not N11), exchange, line."""
    while True:
        area = rng.randint(201, 989)
        if area % 100 != 11 and area // 100 not in (0, 1):
            break
    return f"{area}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"


def format_phone(digits: str, style: str) -> str:
    """Ten digits as (555) 123-4567, 555-123-4567 or 555.123.4567."""
    a, b, c = digits[:3], digits[3:6], digits[6:]
    if style == "paren":
        return f"({a}) {b}-{c}"
    if style == "dash":
        return f"{a}-{b}-{c}"
    return f"{a}.{b}.{c}"


@dataclass(frozen=True)
class Person:
    """A name and sex."""

    given: str
    family: str
    gender: str  # male | female

    @property
    def natural(self) -> str:
        """Mary Smith."""
        return f"{self.given} {self.family}"

    @property
    def inverted(self) -> str:
        """Smith, Mary."""
        return f"{self.family}, {self.given}"

    @property
    def upper(self) -> str:
        """SMITH, MARY (the footer form)."""
        return self.inverted.upper()


@dataclass(frozen=True)
class Provider:
    """A clinician who signs, orders or attends."""

    person: Person
    credential: str  # MD, DO, NP, PA-C, RN
    npi: str

    def parts(self, form: str = "dr") -> list[Part]:
        """Printed with the name as PERSON: 'Dr. Mary Smith, MD' and variants."""
        p = self.person
        if form == "dr" and self.credential in ("MD", "DO"):
            return ["Dr. ", phi("PERSON", p.natural), f", {self.credential}"]
        if form == "inverted":
            return [phi("PERSON", p.inverted), f", {self.credential}"]
        return [phi("PERSON", p.natural), f", {self.credential}"]


@dataclass(frozen=True)
class Address:
    """Street, city, state, ZIP."""

    street: str
    city: str
    state: str
    zip: str

    def parts(self, one_line: bool = True) -> list[Part]:
        """'12 Main St, Springfield, IL 62704' with street, city and ZIP as PHI."""
        sep = ", " if one_line else ""
        return [
            phi("STREET_ADDRESS", self.street),
            sep,
            phi("CITY", self.city),
            f", {self.state} ",
            phi("ZIP_CODE", self.zip),
        ]

    def city_line(self) -> list[Part]:
        """'Springfield, IL 62704'."""
        return [phi("CITY", self.city), f", {self.state} ", phi("ZIP_CODE", self.zip)]


@dataclass(frozen=True)
class Contact:
    """An emergency contact."""

    person: Person
    relationship: str
    phone: str


@dataclass(frozen=True)
class Patient:
    """The patient and everything about them that a chart may print."""

    person: Person
    mrn: str
    dob: dt.date
    address: Address
    phone: str
    email: str
    ssn: str
    insurer: str
    member_id: str
    group: str
    account: str
    contact: Contact

    def age_on(self, day: dt.date) -> int:
        """Whole years on ``day``."""
        years = day.year - self.dob.year
        return years - ((day.month, day.day) < (self.dob.month, self.dob.day))


@dataclass(frozen=True)
class Facility:
    """A hospital or clinic letterhead."""

    name: str
    address: Address
    phone: str
    fax: str
    url: str | None
    email: str | None


_COMPANY_SUFFIX = re.compile(r",? (Inc|LLC|Ltd|PLC|Group|and Sons)$")
RELATIONSHIPS_FAMILY = ("Spouse", "Wife", "Husband", "Daughter", "Son", "Sister", "Brother")
INSURERS = (
    "Blue Cross Blue Shield",
    "Aetna",
    "UnitedHealthcare",
    "Cigna",
    "Humana",
    "Medicare",
    "Medicaid",
    "Kaiser Permanente",
)


class People:
    """Makes synthetic identities from one Faker instance and one RNG."""

    def __init__(self, fake: Faker, rng: random.Random):
        self.fake = fake
        self.rng = rng

    def person(self, gender: str | None = None, family: str | None = None) -> Person:
        """A random person (of ``gender`` and ``family`` name when given)."""
        gender = gender or self.rng.choice(("male", "female"))
        given = self.fake.first_name_male() if gender == "male" else self.fake.first_name_female()
        return Person(given, family or self.fake.last_name(), gender)

    def address(self) -> Address:
        """A street address in a random state."""
        f = self.fake
        return Address(
            f.street_address(),
            f.city(),
            f.state_abbr(include_territories=False, include_freely_associated_states=False),
            f.zipcode(),
        )

    def provider(self) -> Provider:
        """A clinician; mostly physicians."""
        cred = self.rng.choice(("MD", "MD", "MD", "DO", "NP", "PA-C"))
        return Provider(self.person(), cred, "1" + "".join(self.digits(9)))

    def digits(self, n: int) -> list[str]:
        """``n`` random digits."""
        return [str(self.rng.randint(0, 9)) for _ in range(n)]

    def patient(self, on: dt.date) -> Patient:
        """A patient; about one in six is over 89 on ``on`` (their age is PHI)."""
        rng = self.rng
        person = self.person()
        age = rng.randint(90, 101) if rng.random() < 0.17 else rng.randint(19, 89)
        dob = on - dt.timedelta(days=age * 365 + rng.randint(1, 360))
        mrn_len = rng.choice((7, 7, 8, 8, 9, 6))
        mrn = "".join(self.digits(mrn_len))
        if rng.random() < 0.15:
            mrn = "E" + mrn[1:]
        rel = rng.choice(RELATIONSHIPS_FAMILY + ("Friend", "Neighbor"))
        same_family = rel in RELATIONSHIPS_FAMILY and rng.random() < 0.8
        cgender = {"Wife": "female", "Husband": "male", "Daughter": "female", "Son": "male"}
        cgender |= {"Sister": "female", "Brother": "male"}
        contact = Contact(
            self.person(cgender.get(rel), person.family if same_family else None),
            rel,
            phone(rng),
        )
        letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
        domain = rng.choice(("example.com", "example.net", "example.org", "mail.example.com"))
        email = f"{person.given.lower()}.{person.family.lower()}{rng.randint(1, 99)}@{domain}"
        return Patient(
            person=person,
            mrn=mrn,
            dob=dob,
            address=self.address(),
            phone=phone(rng),
            email=email,
            ssn=self.fake.ssn(),
            insurer=rng.choice(INSURERS),
            member_id=letters + "".join(self.digits(9)),
            group="".join(self.digits(rng.choice((5, 6, 7)))),
            account="".join(self.digits(rng.choice((8, 9, 10)))),
            contact=contact,
        )

    def facility(self) -> Facility:
        """A hospital or clinic with a letterhead address and numbers."""
        rng, f = self.rng, self.fake
        address = self.address()
        base = _COMPANY_SUFFIX.sub("", f.company())
        if "," in base or rng.random() < 0.3:
            base = f.last_name()
        forms = (
            f"{base} Medical Center",
            f"{base} Clinic",
            f"{base} Hospital",
            f"{base} Family Medicine Clinic",
            f"{address.city} Regional Medical Center",
            f"{address.city} Community Hospital",
            f"St. {f.last_name()} Hospital",
            f"{base} Internal Medicine Associates",
        )
        name = rng.choice(forms)
        slug = ""
        for word in re.sub(r"[^a-z ]+", "", name.lower()).split():
            if len(slug) + len(word) > 22:
                break
            slug += word
        slug = slug or "clinic"
        main = phone(rng)
        fax = main[:6] + f"{(int(main[6:]) + rng.randint(1, 9)) % 10000:04d}"
        url = f"www.{slug}.org" if rng.random() < 0.4 else None
        email = (
            f"{rng.choice(('records', 'info', 'him'))}@{slug}.org" if rng.random() < 0.3 else None
        )
        return Facility(name, address, main, fax, url, email)
