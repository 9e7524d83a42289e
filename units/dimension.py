"""Physical dimensions as exact exponent vectors over the seven SI base dimensions.

Exponents are Fractions so that ``(second**0.5)**2`` is exactly ``second`` (noise
terms carry ``second**-0.5``). Nothing here depends on pint: the registry turns a
pint dimensionality into a Dimension with :meth:`Dimension.from_pint`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

BASE_DIMENSIONS = ("length", "mass", "time", "current", "temperature", "substance", "luminosity")
BASE_SYMBOLS = ("m", "kg", "s", "A", "K", "mol", "cd")


def as_fraction(exponent: int | float | Fraction) -> Fraction:
    """An exponent as a Fraction; floats such as 0.5 or 1/3 are recovered exactly."""
    if isinstance(exponent, Fraction):
        return exponent
    if isinstance(exponent, int):
        return Fraction(exponent)
    return Fraction(exponent).limit_denominator(1000)


@dataclass(frozen=True)
class Dimension:
    """A physical dimension: one exponent per SI base dimension."""

    exponents: tuple[Fraction, ...] = (Fraction(0),) * 7

    @classmethod
    def of(cls, **powers: int | float | Fraction) -> Dimension:
        """``Dimension.of(length=2, time=-1)``."""
        unknown = set(powers) - set(BASE_DIMENSIONS)
        if unknown:
            raise ValueError(f"unknown base dimension(s) {sorted(unknown)}; known: {BASE_DIMENSIONS}")
        return cls(tuple(as_fraction(powers.get(name, 0)) for name in BASE_DIMENSIONS))

    @classmethod
    def from_pint(cls, dimensionality: Mapping[str, float]) -> Dimension:
        """From a pint dimensionality such as ``{'[length]': 2, '[time]': -1}``."""
        powers = {}
        for key, power in dimensionality.items():
            name = key.strip("[]")
            if name not in BASE_DIMENSIONS:
                raise ValueError(f"pint dimension {key!r} is not an SI base dimension")
            powers[name] = power
        return cls.of(**powers)

    @property
    def is_dimensionless(self) -> bool:
        return not any(self.exponents)

    def __mul__(self, other: Dimension) -> Dimension:
        return Dimension(tuple(a + b for a, b in zip(self.exponents, other.exponents, strict=True)))

    def __truediv__(self, other: Dimension) -> Dimension:
        return Dimension(tuple(a - b for a, b in zip(self.exponents, other.exponents, strict=True)))

    def __pow__(self, power: int | float | Fraction) -> Dimension:
        power = as_fraction(power)
        return Dimension(tuple(a * power for a in self.exponents))

    def as_pint_string(self) -> str:
        """The dimension written in SI base units, in a form pint can parse."""
        parts = [f"{name}**{_power_text(p)}" for name, p in zip(_PINT_BASE_UNITS, self.exponents, strict=True) if p]
        return " * ".join(parts) if parts else "dimensionless"

    def __str__(self) -> str:
        return _describe(self)

    def __repr__(self) -> str:
        return f"Dimension({_base_text(self)})"


DIMENSIONLESS = Dimension()

_PINT_BASE_UNITS = ("meter", "kilogram", "second", "ampere", "kelvin", "mole", "candela")


def _power_text(power: Fraction) -> str:
    return str(power.numerator) if power.denominator == 1 else f"({power})"


def _base_text(dim: Dimension) -> str:
    parts = []
    for symbol, power in zip(BASE_SYMBOLS, dim.exponents, strict=True):
        if power == 1:
            parts.append(symbol)
        elif power:
            parts.append(f"{symbol}^{power}")
    return " ".join(parts) if parts else "1"


# Units a neuroscientist recognises, used to name a dimension in messages.
_NAMED = {
    "volt": Dimension.of(mass=1, length=2, time=-3, current=-1),
    "amp": Dimension.of(current=1),
    "siemens": Dimension.of(mass=-1, length=-2, time=3, current=2),
    "farad": Dimension.of(mass=-1, length=-2, time=4, current=2),
    "ohm": Dimension.of(mass=1, length=2, time=-3, current=-2),
    "coulomb": Dimension.of(time=1, current=1),
    "joule": Dimension.of(mass=1, length=2, time=-2),
    "watt": Dimension.of(mass=1, length=2, time=-3),
    "newton": Dimension.of(mass=1, length=1, time=-2),
    "pascal": Dimension.of(mass=1, length=-1, time=-2),
    "hertz": Dimension.of(time=-1),
    "second": Dimension.of(time=1),
    "metre": Dimension.of(length=1),
    "kilogram": Dimension.of(mass=1),
    "kelvin": Dimension.of(temperature=1),
    "mole": Dimension.of(substance=1),
    "candela": Dimension.of(luminosity=1),
    "molar": Dimension.of(substance=1, length=-3),
}
_BY_DIMENSION = {dim: name for name, dim in _NAMED.items()}


def _describe(dim: Dimension) -> str:
    """'volt', 'volt/second', 'siemens/metre^2' or, failing those, SI base symbols."""
    if dim.is_dimensionless:
        return "1 (dimensionless)"
    if dim in _BY_DIMENSION:
        return _BY_DIMENSION[dim]
    for name, named in _NAMED.items():
        for per, per_dim in (("second", _NAMED["second"]), ("metre^2", _NAMED["metre"] ** 2)):
            if named * (per_dim**-1) == dim:
                return f"{name}/{per}"
    return _base_text(dim)
