"""The naming scheme of simcore's units, as plain data (no pint here).

One table says which pint units simcore names, under which Python names (Brian 2's
spellings), with which short symbol, and which SI prefixes apply. Three things are
derived from it and so always agree: the exported names (``names.py``), the short
symbols that ``str`` prints (``formatting.py``) and the Python spelling of a unit
(``unit_name``).
"""

from __future__ import annotations

from dataclasses import dataclass

# SI prefixes: Python symbol -> pint prefix name. 'u' (not 'µ') for micro, so it can be typed.
PREFIXES: dict[str, str] = {
    "f": "femto",
    "p": "pico",
    "n": "nano",
    "u": "micro",
    "m": "milli",
    "c": "centi",
    "d": "deci",
    "k": "kilo",
    "M": "mega",
    "G": "giga",
    "T": "tera",
}
PREFIX_SYMBOLS: dict[str, str] = {name: symbol for symbol, name in PREFIXES.items()}
# The rest of Brian 2's SI prefixes, exported with full names only (``Yfarad``, ``dametre``, ``asecond``): short
# forms such as ``as`` or ``Pm`` would be Python keywords or clash with user names.
RARE_PREFIXES: dict[str, str] = {
    "y": "yocto",
    "z": "zepto",
    "a": "atto",
    "da": "deca",
    "h": "hecto",
    "P": "peta",
    "E": "exa",
    "Z": "zetta",
    "Y": "yotta",
}
RARE_PREFIX_SYMBOLS: dict[str, str] = {name: symbol for symbol, name in RARE_PREFIXES.items()}


@dataclass(frozen=True)
class BaseUnit:
    """An unprefixed unit: its pint name, Python names and short symbol.

    ``names``: full Python names, the first one canonical (``'metre'``, ``'meter'``).
    ``symbol``: the short symbol; prefixed forms (``mV``) are always exported, the bare
    symbol only where ``export_symbol`` (one-letter symbols such as ``V``, ``N``, ``S``
    would clash with user variables in equation strings).
    ``powers``: suffixes ``2``/``3`` are exported for the short symbols too (``cm2``); full names always
    have them (``umetre3``, ``second3``, ``amp2``), as in Brian 2.
    """

    pint: str
    names: tuple[str, ...]
    symbol: str
    export_symbol: bool = False
    powers: bool = False


BASE_UNITS: tuple[BaseUnit, ...] = (
    BaseUnit("meter", ("metre", "meter"), "m", powers=True),
    BaseUnit("gram", ("gram", "gramme"), "g"),
    BaseUnit("second", ("second",), "s"),
    BaseUnit("ampere", ("amp", "ampere"), "A"),
    BaseUnit("kelvin", ("kelvin",), "K"),
    BaseUnit("mole", ("mole", "mol"), "mol", export_symbol=True),
    BaseUnit("candela", ("candela", "candle"), "cd"),
    BaseUnit("molar", ("molar",), "M"),
    BaseUnit("liter", ("litre", "liter"), "l"),
    BaseUnit("hertz", ("hertz",), "Hz", export_symbol=True),
    BaseUnit("newton", ("newton",), "N"),
    BaseUnit("pascal", ("pascal",), "Pa"),
    BaseUnit("joule", ("joule",), "J"),
    BaseUnit("watt", ("watt",), "W"),
    BaseUnit("coulomb", ("coulomb",), "C"),
    BaseUnit("volt", ("volt",), "V"),
    BaseUnit("farad", ("farad",), "F"),
    BaseUnit("ohm", ("ohm",), "ohm", export_symbol=True),
    BaseUnit("siemens", ("siemens",), "S"),
    BaseUnit("weber", ("weber",), "Wb"),
    BaseUnit("tesla", ("tesla",), "T"),
    BaseUnit("henry", ("henry",), "H"),
    BaseUnit("radian", ("radian",), "rad"),
    BaseUnit("steradian", ("steradian",), "sr"),
    BaseUnit("becquerel", ("becquerel",), "Bq"),
    BaseUnit("gray", ("gray",), "Gy"),
    BaseUnit("sievert", ("sievert",), "Sv"),
    BaseUnit("katal", ("katal",), "kat"),
    BaseUnit("lumen", ("lumen",), "lm"),
    BaseUnit("lux", ("lux",), "lx"),
)
BASE_BY_PINT: dict[str, BaseUnit] = {base.pint: base for base in BASE_UNITS}

# Extra Python names for prefixed units (Brian 2 spells the SI mass unit in full).
EXTRA_NAMES: dict[str, str] = {"kilogram": "kilogram", "kilogramme": "kilogram"}


def python_name(prefix: str, base: BaseUnit) -> str | None:
    """The Python name that ``unit_name`` uses for ``prefix`` + ``base`` (pint names):
    the full name unprefixed (``second``, ``hertz``), the short symbol prefixed (``mV``);
    None where the scheme has no such name."""
    if prefix == "":
        return base.names[0]
    if prefix in RARE_PREFIX_SYMBOLS:
        return RARE_PREFIX_SYMBOLS[prefix] + base.names[0]
    symbol = PREFIX_SYMBOLS.get(prefix)
    return None if symbol is None else symbol + base.symbol


def short_symbol(prefix: str, base: BaseUnit) -> str | None:
    """The short symbol printed for ``prefix`` + ``base`` (``mV``, ``uF``, ``s``)."""
    symbol = PREFIX_SYMBOLS.get(prefix, RARE_PREFIX_SYMBOLS.get(prefix, None if prefix else ""))
    return None if symbol is None else symbol + base.symbol
