"""UCUM unit codes: checked against the UCUM grammar and converted, with ucumvert.

ucumvert builds its parser from UCUM's own ``ucum-essence.xml`` (every atom and prefix of
UCUM 2.2) and maps a parsed code onto pint units, so this module holds no unit factor of
its own: a code is valid when the grammar parses it, and a conversion is pint's. Nothing
is downloaded (the essence table ships in the wheel; pint's registry is built in memory,
without its optional disk cache).

Loading is not free (about 0.8 s to import and build the parser, 0.7 s more for pint's
registry), so each is built once per process on first use and kept: validating the model
files costs the parser only, and the registry waits for the first conversion.

Equivalents and moles: UCUM defines ``eq`` as exactly one ``mol``, so the library would
convert 140 meq/L of anything to 140 mmol/L. That holds for a monovalent ion (Na+, K+,
Cl-, HCO3-) and is wrong by the charge for others (Ca2+: 5 meq/L is 2.5 mmol/L), so
``convert`` refuses an eq/mol pair unless the caller states the analyte's charge.
"""

from __future__ import annotations

import functools
from typing import Any

EQUIVALENT, MOLE = "eq", "mol"


class UcumError(ValueError):
    """A code the UCUM grammar refuses, or a conversion UCUM does not define."""


def is_valid(code: str) -> bool:
    """Whether ``code`` is a case-sensitive UCUM code ("mg/dL", "10*3/uL", "{INR}")."""
    try:
        _tree(code)
    except UcumError:
        return False
    return True


def check(code: str) -> str:
    """``code``, when it is a valid UCUM code.

    Raises:
        UcumError: the UCUM grammar does not parse ``code``.

    """
    _tree(code)
    return code


def commensurable(source: str, target: str) -> bool:
    """Whether a value in ``source`` converts to ``target`` (``convert`` would not raise)."""
    try:
        convert(1.0, source, target)
    except UcumError:
        return False
    return True


def charge_dependent(source: str, target: str) -> bool:
    """Whether one code counts equivalents and the other moles ("meq/L", "mmol/L").

    Raises:
        UcumError: a code is not UCUM.

    """
    eq_source, eq_target = EQUIVALENT in _atoms(source), EQUIVALENT in _atoms(target)
    return eq_source != eq_target and MOLE in _atoms(target if eq_source else source)


def convert(value: float, source: str, target: str, *, charge: int | None = None) -> float:
    """``value`` in UCUM unit ``source``, expressed in ``target`` ("Cel" to "[degF]" too).

    ``charge`` is the analyte's ionic charge, needed only between equivalents and moles
    (see the module docstring): ``n`` meq is ``n / |charge|`` mmol.

    Raises:
        UcumError: a code is not UCUM, the units measure different things, or an eq/mol
            pair is converted without a charge.

    """
    if source == target:
        check(source)
        return value
    src, dst = _quantity(source), _quantity(target)
    factor = 1.0
    if charge_dependent(source, target):
        if not charge:
            raise UcumError(f"{source} to {target} depends on the charge of the analyte")
        factor = 1 / abs(charge) if EQUIVALENT in _atoms(source) else float(abs(charge))
    registry = _registry()
    from pint.errors import DimensionalityError, OffsetUnitCalculusError

    try:
        quantity = registry.Quantity(value * src.magnitude, src.units)
        converted = quantity.to(dst.units).magnitude / dst.magnitude
    except (DimensionalityError, OffsetUnitCalculusError) as e:
        raise UcumError(f"{source} cannot be converted to {target}") from e
    return float(converted) * factor


@functools.cache
def _parser() -> Any:
    from ucumvert import get_ucum_parser

    return get_ucum_parser()


@functools.cache
def _tree(code: str) -> Any:
    from ucumvert import InvalidUcumError, parse_ucum

    try:
        return parse_ucum(code, _parser())
    except InvalidUcumError as e:
        raise UcumError(f"{code!r} is not a UCUM code") from e


@functools.cache
def _atoms(code: str) -> frozenset[str]:
    """The unit atoms of ``code`` without their prefixes ("meq/L" holds "eq" and "L")."""
    return frozenset(
        str(node.children[-1]) for node in _tree(code).iter_subtrees() if node.data == "simple_unit"
    )


@functools.cache
def _registry() -> Any:
    from importlib.resources import files

    import pint

    # Pint's default units plus the UCUM atoms ucumvert defines for it. Not ucumvert's
    # PintUcumRegistry: that one also fills pint's application registry, a second copy
    # that doubles the load time (about 0.8 s each).
    registry: Any = pint.UnitRegistry()
    registry.load_definitions(str(files("ucumvert") / "pint_ucum_defs.txt"))
    return registry


@functools.cache
def _transformer() -> Any:
    from ucumvert import UcumToPintTransformer

    # Bound to our registry: ucumvert's own from_ucum() builds its quantities in pint's
    # application registry, which does not mix with ours.
    return UcumToPintTransformer(ureg=_registry())


@functools.cache
def _quantity(code: str) -> Any:
    """``code`` as a pint quantity: the unit and the factor a code like "10*3/uL" carries."""
    from lark import Token

    result = _transformer().transform(_tree(code))
    if isinstance(result, Token):
        # A code that is only an annotation ("{INR}", "{ratio}") is the unity.
        return _registry().Quantity(1.0, "")
    return result
