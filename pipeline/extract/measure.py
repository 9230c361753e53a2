"""From numbers read off the page to an ``Observation``: units, plausibility, confidence.

Shared by the vitals and labs components. A value outside its analyte's hard range is
dropped: on a chart that is nearly always a misread (a date, a reference range, a
neighbouring column), and a wrong value is worse than a missing one. Values that needed
repair or inference are kept with lower confidence so the document goes to review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pipeline.extract.data import AnalyteSpec, Bounds, Penalties
from pipeline.extract.text import Number
from pipeline.schema import Component, Observation, Quantity

Category = Literal["vital-signs", "laboratory"]
# What a reading measured: one quantity or a panel's components, and the confidence so far.
Measured = tuple[Quantity | None, tuple[Component, ...], float]


@dataclass(frozen=True)
class Reading:
    """What was read for one analyte: one number, or two for a ratio such as a BP."""

    numbers: tuple[Number, ...]
    ucum: str | None = None  # the printed (or column) unit, as UCUM; None when absent
    unit_unknown: bool = False  # a unit was printed but is not one we know


def resolve_unit(
    spec: AnalyteSpec, value: float, ucum: str | None, penalties: Penalties
) -> tuple[str, float] | None:
    """Choose the unit of ``value`` and the confidence factor that choice costs.

    A printed unit must be one of the analyte's and the value plausible in it. Without one,
    the unit is the one in which the value is plausible; when several fit, the one where it
    is typical, else the analyte's default unit, each with a penalty.
    """
    if ucum is not None:
        bounds = spec.units.get(ucum)
        if bounds is None or not bounds.plausible(value):
            return None
        return ucum, 1.0 if bounds.usual(value) else penalties.outside_typical
    # Units with the same bounds are the same scale under two names (mmol/L and meq/L for
    # sodium): the first listed stands for them, and choosing it is no guess.
    scales: dict[Bounds, str] = {}
    for u, b in spec.units.items():
        scales.setdefault(b, u)
    plausible = [u for b, u in scales.items() if b.plausible(value)]
    if not plausible:
        return None
    usual = [u for u in plausible if spec.units[u].usual(value)]
    typical_factor = 1.0 if usual else penalties.outside_typical
    if len(plausible) == 1:
        # The value alone decides between alternatives (98.6 is not Celsius); a single-unit
        # analyte printed bare is only trusted where the unit is conventionally left off.
        single = len(scales) == 1 and not spec.unit_optional
        return plausible[0], (penalties.unit_inferred if single else 1.0) * typical_factor
    if len(usual) == 1:
        return usual[0], penalties.unit_inferred
    unit = spec.default_unit if spec.default_unit in plausible else plausible[0]
    return unit, penalties.unit_ambiguous * typical_factor


def observe(
    spec: AnalyteSpec,
    reading: Reading,
    *,
    category: Category,
    start: int,
    end: int,
    penalties: Penalties,
    confidence: float = 1.0,
    effective: str | None = None,
) -> Observation | None:
    """Build the observation for ``reading``, or None when it is not plausible."""
    if reading.unit_unknown:
        return None
    if any(n.repaired for n in reading.numbers):
        confidence *= penalties.digit_repaired
    if spec.shape == "ratio":
        measured = _panel(spec, reading, penalties, confidence)
    else:
        measured = _single(spec, reading, penalties, confidence)
    if measured is None:
        return None
    quantity, components, confidence = measured
    return Observation(
        code=spec.code,
        display=spec.display,
        category=category,
        quantity=quantity,
        components=components,
        effective=effective,
        start=start,
        end=end,
        confidence=round(confidence, 3),
    )


def _single(
    spec: AnalyteSpec, reading: Reading, penalties: Penalties, confidence: float
) -> Measured | None:
    if len(reading.numbers) != 1:
        return None
    number = reading.numbers[0]
    value: float | None = number.value
    chosen = resolve_unit(spec, number.value, reading.ucum, penalties)
    if chosen is None:
        value = _dropped_point(spec, number, reading.ucum)
        chosen = resolve_unit(spec, value, reading.ucum, penalties) if value else None
        confidence *= penalties.point_restored
    if chosen is None or value is None:
        return None
    unit, factor = chosen
    return Quantity(value=value, unit=unit), (), confidence * factor


def _dropped_point(spec: AnalyteSpec, number: Number, ucum: str | None) -> float | None:
    """The value with the decimal point OCR lost put back ("Potassium 37" is 3.7), or None.

    Only for a whole number that is implausible as printed and whose tenth is typical for
    the analyte, in the printed unit or in one of the analyte's units when none is printed.
    """
    if not spec.fractional or number.decimals or number.value < 10:
        return None
    value = round(number.value / 10, 6)
    units = [ucum] if ucum is not None else list(spec.units)
    if any(u in spec.units and spec.units[u].usual(value) for u in units):
        return value
    return None


def _panel(
    spec: AnalyteSpec, reading: Reading, penalties: Penalties, confidence: float
) -> Measured | None:
    unit = spec.default_unit
    if len(reading.numbers) != 2 or reading.ucum not in (None, unit):
        return None
    values = [n.value for n in reading.numbers]
    bounds = [c.bounds for c in spec.components]
    if not all(b.plausible(v) for b, v in zip(bounds, values, strict=True)):
        return None
    if values[0] <= values[1]:  # systolic above diastolic, or it is not a BP (a date, a ratio)
        return None
    if not all(b.usual(v) for b, v in zip(bounds, values, strict=True)):
        confidence *= penalties.outside_typical
    components = tuple(
        Component(code=c.code, display=c.display, quantity=Quantity(value=v, unit=unit))
        for c, v in zip(spec.components, values, strict=True)
    )
    return None, components, confidence
