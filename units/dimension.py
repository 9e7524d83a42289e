"""Physical dimensions as exact exponent vectors over the seven SI base dimensions.

Exponents are Fractions so that ``(second**0.5)**2`` is exactly ``second`` (noise
terms carry ``second**-0.5``). Nothing here depends on pint: the registry turns a
pint dimensionality into a Dimension with :meth:`Dimension.from_pint`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

BASE_DIMENSIONS = ("length", "mass", "time", "current", "temperature", "substance", "luminosity")
BASE_SYMBOLS = ("m", "kg", "s", "A", "K", "mol", "cd")
_BASE_UNIT_NAMES = (("metre", "meter"), ("kilogram",), ("second",), ("amp", "ampere"), ("kelvin",), ("mole",),
                    ("candle", "candela"))


def _base_index() -> dict[str, int]:
    """Base dimension index by every name Brian 2 accepts: 'time', 'Time', 's', 'second', 'seconds', ..."""
    index = {"electric current": 3, "Electric Current": 3, "quantity of substance": 5, "Quantity of substance": 5,
             "Quantity of Substance": 5}
    for position, (name, symbol, units) in enumerate(zip(BASE_DIMENSIONS, BASE_SYMBOLS, _BASE_UNIT_NAMES,
                                                          strict=True)):
        for spelling in (name, name.capitalize(), symbol, *units, *(unit + "s" for unit in units)):
            index[spelling] = position
    return index


BASE_INDEX: dict[str, int] = _base_index()


def _type_error(message: str) -> TypeError:
    """simcore's ModelTypeError (imported here, when raised: simcore.errors imports this module)."""
    from simcore.errors import ModelTypeError

    return ModelTypeError(message)


def _key_error(message: str) -> KeyError:
    """simcore's ModelKeyError, as ``_type_error``."""
    from simcore.errors import ModelKeyError

    return ModelKeyError(message)


def as_fraction(exponent: int | float | Fraction) -> Fraction:
    """An exponent as a Fraction; floats such as 0.5 or 1/3 are recovered exactly."""
    if isinstance(exponent, Fraction):
        return exponent
    if isinstance(exponent, int):
        return Fraction(exponent)
    return Fraction(exponent).limit_denominator(1000)


class Dimension:
    """A physical dimension: one exponent per SI base dimension.

    There is one object per dimension (as in Brian 2, whose scripts compare dimensions with ``is``):
    ``Dimension(...)``, ``Dimension.of(...)``, arithmetic, ``get_or_create_dimension`` and unpickling all
    return the same object for the same exponents. Immutable.
    """

    __slots__ = ("exponents", "__weakref__")
    _instances: dict[tuple[Fraction, ...], Dimension] = {}

    def __new__(cls, exponents: tuple = (0,) * 7) -> Dimension:
        key = tuple(as_fraction(power) for power in exponents)
        if len(key) != len(BASE_DIMENSIONS):
            raise _type_error(f"a Dimension has {len(BASE_DIMENSIONS)} exponents ({', '.join(BASE_DIMENSIONS)}), "
                             f"not {len(key)}")
        instance = cls._instances.get(key)
        if instance is None:
            instance = object.__new__(cls)
            object.__setattr__(instance, "exponents", key)
            instance = cls._instances.setdefault(key, instance)
        return instance

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Dimension cannot be changed (setting {name!r})")

    def __reduce__(self):
        return Dimension, (self.exponents,)

    def __copy__(self) -> Dimension:
        return self

    def __deepcopy__(self, memo: dict) -> Dimension:
        return self

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, Dimension) and self.exponents == other.exponents)

    def __hash__(self) -> int:
        return hash(self.exponents)

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

    # --- Brian 2's attribute names ------------------------------------------------------
    @property
    def _dims(self) -> tuple[int | float, ...]:
        """The exponents as Brian 2 holds them: ints where whole, else floats."""
        return tuple(int(p) if p.denominator == 1 else float(p) for p in self.exponents)

    @property
    def dim(self) -> Dimension:
        """The Dimension itself, so that ``x.dim`` works for quantities, units and dimensions alike."""
        return self

    def get_dimension(self, name: str) -> int | float:
        """The exponent of one base dimension, by name (``'time'``) or SI unit (``'s'``, ``'second'``)."""
        index = BASE_INDEX.get(name)
        if index is None:
            raise _key_error(f"{name!r} is no SI base dimension; use one of {', '.join(BASE_DIMENSIONS)} "
                           "or their units (m, kg, s, A, K, mol, cd)")
        return self._dims[index]

    def __mul__(self, other: Dimension) -> Dimension:
        return Dimension(tuple(a + b for a, b in zip(self.exponents, other.exponents, strict=True)))

    def __truediv__(self, other: Dimension) -> Dimension:
        return Dimension(tuple(a - b for a, b in zip(self.exponents, other.exponents, strict=True)))

    def __pow__(self, power: int | float | Fraction) -> Dimension:
        power = as_fraction(power)
        return Dimension(tuple(a * power for a in self.exponents))

    def _immutable(self, other: object) -> Dimension:
        raise _type_error("a Dimension cannot be changed in place: write d = d * other instead of d *= other")

    __imul__ = __itruediv__ = __ipow__ = _immutable

    def as_pint_string(self) -> str:
        """The dimension written in SI base units, in a form pint can parse."""
        parts = [f"{name}**{_power_text(p)}" for name, p in zip(_PINT_BASE_UNITS, self.exponents, strict=True) if p]
        return " * ".join(parts) if parts else "dimensionless"

    def __str__(self) -> str:
        return _describe(self)

    def __repr__(self) -> str:
        return f"Dimension({_base_text(self)})" if not self.is_dimensionless else "Dimension()"


def get_or_create_dimension(*args: Sequence[int | float], **powers: int | float) -> Dimension:
    """The Dimension with the given exponents (Brian 2's function): a sequence of the seven exponents in
    the order length, mass, time, current, temperature, substance, luminosity, or keywords naming base
    dimensions or their SI units: ``get_or_create_dimension(length=1, time=-1)``,
    ``get_or_create_dimension(m=1, s=-1)``. There is one Dimension object per dimension."""
    if args and powers or len(args) > 1:
        raise _type_error("get_or_create_dimension() takes one sequence of 7 exponents or keywords, not both")
    if args:
        exponents = args[0]
        if isinstance(exponents, str) or not hasattr(exponents, "__len__") or len(exponents) != 7:
            raise _type_error(f"get_or_create_dimension() needs a sequence of exactly 7 exponents "
                              f"({', '.join(BASE_DIMENSIONS)}), not {exponents!r}")
        return Dimension(tuple(exponents))
    values = [0] * len(BASE_DIMENSIONS)
    for name, power in powers.items():
        if name not in BASE_INDEX:
            raise _key_error(f"get_or_create_dimension() got {name!r}, which is no SI base dimension; use one of "
                            f"{', '.join(BASE_DIMENSIONS)} or their units (m, kg, s, A, K, mol, cd)")
        values[BASE_INDEX[name]] = power
    return Dimension(tuple(values))


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
    """'volt', 'volt/second', 'siemens/metre^2' or, failing those, SI base symbols; '1' for dimensionless (as
    Brian 2 writes it, and as equations declare it: ``x : 1``)."""
    if dim.is_dimensionless:
        return "1"
    if dim in _BY_DIMENSION:
        return _BY_DIMENSION[dim]
    for name, named in _NAMED.items():
        for per, per_dim in (("second", _NAMED["second"]), ("metre^2", _NAMED["metre"] ** 2)):
            if named * (per_dim**-1) == dim:
                return f"{name}/{per}"
    return _base_text(dim)
